// Package portal is the charity-partner portal: the web pages store staff work in, served by
// the same server under /portal/. Pages are rendered on the server with html/template from
// embedded templates (one layout), progressively enhanced with a vendored htmx, and every
// form also works without JavaScript as a POST answered by a redirect.
//
// One file per page action; package form turns each posted form into a service input. The
// handlers hold no SQL and no business rule: they call the same services as the GraphQL
// resolvers (sc.Services) and show a service's field errors beside their inputs. A logged-in
// staff member acts as its store's staff (sc.Actor), so every service scopes the data as it
// does for a staff token. Sessions are scs sessions; state changes need the same origin
// (http.CrossOriginProtection) and the session's form token, and each form's one-time key
// makes a double submission take effect once.
package portal
