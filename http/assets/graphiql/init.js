// Starts GraphiQL in the page's #graphiql element. It is a file of its own, not an inline
// script, so that the page's Content-Security-Policy can forbid inline scripts.
(function () {
	'use strict';
	var root = document.getElementById('graphiql');
	var fetcher = GraphiQL.createFetcher({ url: root.getAttribute('data-endpoint') });
	ReactDOM.createRoot(root).render(React.createElement(GraphiQL, {
		fetcher: fetcher,
		// The API authenticates with an Authorization header: open the headers tab so that
		// users see where to put it.
		defaultEditorToolsVisibility: 'headers',
		isHeadersEditorEnabled: true,
		// A bearer token typed there is not written to localStorage.
		shouldPersistHeaders: false
	}));
})();
