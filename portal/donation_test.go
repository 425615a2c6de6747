package portal_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db/dbtest"
)

// sellAndSettle receives a return of two items, sells both for 10.00 and settles them: with
// the intake fee of 1.00 (tb.beneficiary), 18.00 is pending for the Food Pantry.
func (c *client) sellAndSettle(t testing.TB) {
	t.Helper()
	for _, id := range c.receive(t, c.tb.returnTo(t)) {
		c.get(t, "/portal/items/"+id)
		c.submit(t, "/route", url.Values{"route": {"SALE"}})
		res := c.submit(t, "/sale", url.Values{"price.amount": {"10.00"}})
		require.Contains(t, res.body, `data-status="SOLD"`)
	}
	c.get(t, "/portal/items?status=SOLD")
	res := c.submit(t, "/items/settle", nil)
	require.Contains(t, res.body, "Settled 2 item(s): 18.00 USD for charity.")
}

// storeTotals are the ledger's figures of SCS as its staff see them through the service.
func (tb *testBundle) storeTotals(t testing.TB) *sc.ReturnTotals {
	t.Helper()
	var store int64
	require.NoError(t, tb.d.Get(&store, `SELECT id FROM stores WHERE code = 'SCS'`))
	staff, _ := dbtest.As(t, tb.d, sc.TokenInput{Role: sc.RoleStaff, StoreCode: "SCS"})
	totals, err := tb.d.StoreTotals(staff, store, sc.MinTime, time.Now().UTC().Truncate(24*time.Hour).Add(48*time.Hour))
	require.NoError(t, err)
	return totals
}

var (
	totalPendingRE   = regexp.MustCompile(`data-total-pending="(\d+)"`)
	totalDisbursedRE = regexp.MustCompile(`data-total-disbursed="(\d+)"`)
)

// pageTotals are the donations page's totals in cents: pending and disbursed.
func pageTotals(t testing.TB, body string) (pending, disbursed int64) {
	t.Helper()
	p, d := totalPendingRE.FindStringSubmatch(body), totalDisbursedRE.FindStringSubmatch(body)
	require.NotNil(t, p, body)
	require.NotNil(t, d, body)
	return int64(atoiT(t, p[1])), int64(atoiT(t, d[1]))
}

func atoiT(t testing.TB, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	require.NoError(t, err)
	return n
}

func TestDonationsPageAndDisbursement(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	tb.beneficiary(t)
	c := tb.account(t, "SCS", "don@example.org", sc.StaffMember)
	c.sellAndSettle(t)

	res := c.get(t, "/portal/")
	require.Contains(t, res.body, `href="/portal/donations"`, "the dashboard's queue and the menu lead to the page")
	require.Regexp(t, `data-queue="Donations to disburse">1<`, res.body)

	res = c.get(t, "/portal/donations")
	require.Equal(t, http.StatusOK, res.status, res.body)
	require.Contains(t, res.body, "Food Pantry")
	require.Contains(t, res.body, `data-pending="1800"`)
	pending, disbursed := pageTotals(t, res.body)
	totals := tb.storeTotals(t)
	require.Equal(t, totals.Pending.Cents, pending, "the page adds up to the ledger")
	require.Equal(t, totals.Donated.Cents, disbursed)
	require.Equal(t, int64(1800), pending)
	require.Contains(t, res.body, "No disbursement recorded yet.")
	_, stale := c.form(t, "/disburse") // a second tab's copy of the form, with its own key

	// A double click: the same form twice at once pays once.
	c.get(t, "/portal/donations")
	action, form := c.form(t, "/disburse")
	require.NotEqual(t, stale.Get("once"), form.Get("once"))
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodPost, tb.url+action, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if res, err := c.http.Do(req); err == nil {
				res.Body.Close()
			}
		})
	}
	wg.Wait()
	var disbursements int
	require.NoError(t, tb.d.Get(&disbursements, `SELECT count(DISTINCT disbursed_at) FROM donation_allocations WHERE disbursed_at IS NOT NULL`))
	require.Equal(t, 1, disbursements)
	res = c.post(t, action, form) // once more, after both: led where the first went
	require.Equal(t, http.StatusOK, res.status)
	require.True(t, strings.HasSuffix(res.url, "/portal/donations"), res.url)
	require.Contains(t, res.body, "Nothing pending")
	require.Len(t, regexp.MustCompile(`<tr data-disbursement>`).FindAllString(res.body, -1), 1)
	pending, disbursed = pageTotals(t, res.body)
	totals = tb.storeTotals(t)
	require.Equal(t, totals.Pending.Cents, pending)
	require.Equal(t, totals.Donated.Cents, disbursed)
	require.Equal(t, int64(1800), disbursed)
	require.Regexp(t, `data-queue="Donations to disburse">0<`, c.get(t, "/portal/").body)

	// The second tab's form finds nothing left to pay, and says so.
	res = c.post(t, action, stale)
	require.Equal(t, http.StatusOK, res.status)
	require.Contains(t, res.body, "Nothing was pending for Food Pantry, so no disbursement was recorded.")
	require.NoError(t, tb.d.Get(&disbursements, `SELECT count(DISTINCT disbursed_at) FROM donation_allocations WHERE disbursed_at IS NOT NULL`))
	require.Equal(t, 1, disbursements)

	t.Run("ErrNoSuchBeneficiary", func(t *testing.T) {
		c.get(t, "/portal/donations")
		_, form := c.form(t, "/logout")
		form.Set("once", "no-such-beneficiary")
		res := c.post(t, "/portal/donations/999999/disburse", form)
		require.Equal(t, http.StatusNotFound, res.status)
		require.Equal(t, sc.ENOTFOUND, messageCode(res.body))
	})
	t.Run("ErrNotACursor", func(t *testing.T) {
		res := c.get(t, "/portal/donations?after=garbage")
		require.Equal(t, http.StatusNotFound, res.status)
	})
}

// Another store's staff see none of SCS's donations, and their disbursement of the same
// charity pays nothing of SCS's.
func TestDonationsOfAnotherStore(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	tb.beneficiary(t)
	dbtest.Store(t, tb.d, &dbtest.StoreOpts{Code: ptr("KC3")})
	mine := tb.account(t, "SCS", "ann@example.org", sc.StaffMember)
	other := tb.account(t, "KC3", "kc3@example.org", sc.StaffMember)
	mine.sellAndSettle(t)
	mine.get(t, "/portal/donations")
	action, _ := mine.form(t, "/disburse")

	res := other.get(t, "/portal/donations")
	require.Equal(t, http.StatusOK, res.status)
	require.NotContains(t, res.body, "Food Pantry")
	require.Contains(t, res.body, "No settled item has been allocated")
	_, form := other.form(t, "/logout")
	form.Set("once", "k1")
	res = other.post(t, action, form)
	require.Contains(t, res.body, "Nothing was pending for Food Pantry")
	require.Equal(t, int64(1800), tb.storeTotals(t).Pending.Cents, "SCS still owes it all")
}
