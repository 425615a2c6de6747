package portal_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
)

// BenchmarkPages renders the main pages over HTTP, logged in, on a store with a few parcels:
// the figures of docs/PERFORMANCE.md come from `go test ./portal -run '^$' -bench Pages`.
func BenchmarkPages(b *testing.B) {
	tb := setup(b)
	tb.beneficiary(b)
	c := tb.account(b, "SCS", "bench@example.org", sc.StaffMember)
	var ids []string
	for range 5 {
		ids = c.receive(b, tb.returnTo(b))
	}
	for _, p := range []struct{ name, path string }{
		{"dashboard", "/portal/"},
		{"intake", "/portal/intake"},
		{"items", "/portal/items"},
		{"item", "/portal/items/" + ids[0]},
	} {
		b.Run(p.name, func(b *testing.B) {
			for b.Loop() {
				if res := c.get(b, p.path); res.status != http.StatusOK {
					require.Equal(b, http.StatusOK, res.status, res.body)
				}
			}
		})
	}
}
