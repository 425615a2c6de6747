// Package demo is the demo data set of `make run` (secondchance seed --demo): what it loads,
// through the same services the API calls, with the fixed codes, tokens and portal login the
// README shows. It lives outside cmd/secondchance so that the portal's screenshots and page
// benchmark run on the very data a newcomer sees, and Showcase adds to it the auctions,
// discrepancies and payments those pages need to show something.
package demo
