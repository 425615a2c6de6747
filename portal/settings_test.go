package portal_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db/dbtest"
)

func (tb *testBundle) scs(t *testing.T) int64 {
	t.Helper()
	var id int64
	require.NoError(t, tb.d.Get(&id, `SELECT id FROM stores WHERE code = 'SCS'`))
	return id
}

func (tb *testBundle) donations(t *testing.T) *sc.StoreDonationSettings {
	t.Helper()
	s, err := tb.d.StoreDonations(admin(), tb.scs(t))
	require.NoError(t, err)
	return s
}

func (tb *testBundle) increments(t *testing.T) (sc.IncrementTable, int) {
	t.Helper()
	steps, v, err := tb.d.IncrementTable(admin(), tb.scs(t))
	require.NoError(t, err)
	return steps, v
}

func TestManagerSettingsFees(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	tb.beneficiary(t)
	boss := tb.account(t, "SCS", "boss@example.org", sc.StaffManager)
	res := boss.get(t, "/portal/settings")
	require.Equal(t, http.StatusOK, res.status, res.body)
	require.Contains(t, res.body, `<a href="/portal/settings" aria-current="page">Settings</a>`, "the layout links the settings for managers")
	require.Contains(t, res.body, `name="fees.intakeCents" type="text" value="1.00"`, "the schedule in force")
	require.Contains(t, res.body, `value="12-3456789"`)
	require.Contains(t, res.body, "<td>the store's default</td>")
	before := tb.donations(t)

	for _, tc := range []struct {
		name   string
		values url.Values
		errs   []string
	}{
		{"ErrServiceRefuses", url.Values{"fees.intakeCents": {"-1"}, "fees.commissionBasisPoints": {"101"}, "ein": {"nope"}},
			[]string{"fees.intakeCents", "fees.commissionBasisPoints", "ein"}},
		{"ErrNotANumber", url.Values{"fees.storageCents": {"abc"}}, []string{"fees.storageCents"}},
		{"ErrNoBeneficiary", url.Values{"beneficiary": {""}}, []string{"beneficiary"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			boss.get(t, "/portal/settings")
			res := boss.submit(t, "/settings/fees", tc.values)
			require.Equal(t, http.StatusUnprocessableEntity, res.status)
			for _, f := range tc.errs {
				require.Contains(t, res.body, `id="f-`+f+`-error"`, "the message is beside %s", f)
			}
			for k, v := range tc.values {
				if v[0] != "" {
					require.Contains(t, res.body, `value="`+v[0]+`"`, "what was typed in %s is kept", k)
				}
			}
			require.Equal(t, before, tb.donations(t), "nothing changed")
		})
	}

	boss.get(t, "/portal/settings")
	res = boss.submit(t, "/settings/fees", url.Values{"fees.intakeCents": {"1.50"}, "fees.storageCents": {"0.25"},
		"fees.commissionBasisPoints": {"12.5"}, "fees.auctionCommissionBasisPoints": {"15%"}})
	require.Equal(t, http.StatusOK, res.status, res.body)
	require.True(t, strings.HasSuffix(res.url, "/portal/settings"), res.url)
	require.Contains(t, res.body, `class="flash"`)
	after := tb.donations(t)
	require.Equal(t, sc.FeeSchedule{IntakeCents: 150, StorageCents: 25, CommissionBasisPoints: 1250, AuctionCommissionBasisPoints: 1500}, after.Fees)
	require.Equal(t, before.DefaultBeneficiary, after.DefaultBeneficiary)
	require.Equal(t, "12-3456789", after.EIN, "an EIN sent unchanged stays")
}

func TestManagerSettingsRoutingRules(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	boss := tb.account(t, "SCS", "boss@example.org", sc.StaffManager)
	res := boss.get(t, "/portal/settings/routing")
	require.Equal(t, http.StatusOK, res.status, res.body)
	require.Contains(t, res.body, "The store has no rules")

	res = boss.submit(t, "/settings/routing", url.Values{"category": {" "}, "grade": {"SHINY"}})
	require.Equal(t, http.StatusUnprocessableEntity, res.status)
	require.Contains(t, res.body, `id="f-category-error"`)
	require.Contains(t, res.body, `id="f-grade-error"`)

	res = boss.submit(t, "/settings/routing", url.Values{"category": {"Lamps"}, "grade": {"FAIR"}, "route": {"SALE"}})
	require.Equal(t, http.StatusOK, res.status, res.body)
	require.Contains(t, res.body, `data-rule="lamps/FAIR"`)
	rules, err := tb.d.RoutingRules(admin(), tb.scs(t))
	require.NoError(t, err)
	require.Equal(t, []*sc.RoutingRule{{Category: "lamps", Grade: sc.GradeFair, Route: sc.RouteSale}}, rules)

	// The first form of the action is now the rule's remove button.
	res = boss.submit(t, "/settings/routing", nil)
	require.Equal(t, http.StatusOK, res.status, res.body)
	require.NotContains(t, res.body, `data-rule="lamps/FAIR"`)
	rules, err = tb.d.RoutingRules(admin(), tb.scs(t))
	require.NoError(t, err)
	require.Empty(t, rules)
}

func TestManagerSettingsIncrementTable(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	boss := tb.account(t, "SCS", "boss@example.org", sc.StaffManager)
	res := boss.get(t, "/portal/settings/increments")
	require.Equal(t, http.StatusOK, res.status, res.body)
	require.Contains(t, res.body, "The store uses the default table")
	require.Contains(t, res.body, `name="rows" value="13"`, "the default's 10 steps and 3 blank rows")

	blank := func(v url.Values, rows ...int) {
		for _, r := range rows {
			v.Set("steps."+strconv.Itoa(r)+".fromCents", "")
			v.Set("steps."+strconv.Itoa(r)+".incrementCents", "")
		}
	}
	// Row 1 is left blank, so the service's step 1 is the form's row 2: its error shows there.
	bad := url.Values{"steps.0.fromCents": {"0"}, "steps.0.incrementCents": {"0.50"}, "steps.2.fromCents": {"10"}, "steps.2.incrementCents": {"0.25"}}
	blank(bad, 1, 3, 4, 5, 6, 7, 8, 9)
	res = boss.submit(t, "/settings/increments", bad)
	require.Equal(t, http.StatusUnprocessableEntity, res.status)
	require.Contains(t, res.body, `id="f-steps.2.incrementCents-error"`)
	require.Contains(t, res.body, `value="0.25"`, "what was typed is kept")
	require.Contains(t, res.body, `name="steps.1.fromCents" type="text" value=""`, "a row emptied stays empty")
	_, v := tb.increments(t)
	require.Zero(t, v, "nothing saved")

	boss.get(t, "/portal/settings/increments")
	res = boss.submit(t, "/settings/increments", url.Values{"steps.0.fromCents": {"1e3"}})
	require.Equal(t, http.StatusUnprocessableEntity, res.status)
	require.Contains(t, res.body, `id="f-steps.0.fromCents-error"`)

	boss.get(t, "/portal/settings/increments")
	good := url.Values{"steps.0.fromCents": {"0"}, "steps.0.incrementCents": {"0.10"}, "steps.1.fromCents": {"10"}, "steps.1.incrementCents": {"1"}}
	blank(good, 2, 3, 4, 5, 6, 7, 8, 9)
	res = boss.submit(t, "/settings/increments", good)
	require.Equal(t, http.StatusOK, res.status, res.body)
	require.Contains(t, res.body, "Version 1 of the store")
	steps, v := tb.increments(t)
	require.Equal(t, 1, v)
	require.Equal(t, sc.IncrementTable{{FromCents: 0, IncrementCents: 10}, {FromCents: 1000, IncrementCents: 100}}, steps)
	require.Contains(t, res.body, `name="rows" value="5"`, "the new table's 2 steps and 3 blank rows")
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// A staff member sees the settings but changes none: the services refuse, even a form made
// by hand, and nothing changes.
func TestSettingsStaffMemberOnlyReads(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	tb.beneficiary(t)
	mo := tb.account(t, "SCS", "mo@example.org", sc.StaffMember)
	res := mo.get(t, "/portal/")
	require.NotContains(t, res.body, `href="/portal/settings"`, "no settings link for staff members")
	before := tb.donations(t)
	for _, path := range []string{"/portal/settings", "/portal/settings/routing", "/portal/settings/increments"} {
		res := mo.get(t, path)
		require.Equal(t, http.StatusOK, res.status, path)
		require.Contains(t, res.body, "Only a store manager changes these settings")
		require.NotContains(t, res.body, `action="`+path, "no forms on %s", path)
	}
	res = mo.get(t, "/portal/settings")
	require.Contains(t, res.body, "12-3456789")
	csrf := csrfRE.FindStringSubmatch(res.body)[1]
	for _, tc := range []struct{ action, once string }{
		{"/portal/settings/fees", "k1"}, {"/portal/settings/routing", "k2"}, {"/portal/settings/increments", "k3"},
	} {
		res := mo.post(t, tc.action, url.Values{"csrf": {csrf}, "once": {tc.once}, "fees.intakeCents": {"9"}, "beneficiary": {strconv.FormatInt(*before.DefaultBeneficiary, 10)},
			"category": {"Lamps"}, "grade": {"GOOD"}, "route": {"SALE"}, "rows": {"1"}, "steps.0.fromCents": {"0"}, "steps.0.incrementCents": {"1"}})
		require.Equal(t, http.StatusForbidden, res.status, tc.action)
		require.Contains(t, res.body, "Nothing was saved")
	}
	require.Equal(t, before, tb.donations(t))
	rules, err := tb.d.RoutingRules(admin(), tb.scs(t))
	require.NoError(t, err)
	require.Empty(t, rules)
	_, v := tb.increments(t)
	require.Zero(t, v)
}

// Another store's manager sees and changes their own store's settings, never SCS's.
func TestSettingsManagerOfAnotherStore(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	tb.beneficiary(t)
	other := dbtest.Store(t, tb.d, nil)
	boss := tb.account(t, other.Code, "boss@other.example", sc.StaffManager)
	res := boss.get(t, "/portal/settings")
	require.Equal(t, http.StatusOK, res.status)
	require.Contains(t, res.body, "Fee schedule of "+other.Code)
	require.NotContains(t, res.body, `value="12-3456789"`, "not SCS's EIN")
	before := tb.donations(t)
	var charity string
	require.NoError(t, tb.d.Get(&charity, `SELECT id::text FROM beneficiaries`))
	res = boss.submit(t, "/settings/fees", url.Values{"fees.intakeCents": {"3"}, "ein": {"98-7654321"}, "beneficiary": {charity}})
	require.Equal(t, http.StatusOK, res.status, res.body)
	require.Equal(t, before, tb.donations(t), "SCS is unchanged")
	got, err := tb.d.StoreDonations(context.Background(), other.ID)
	require.Equal(t, sc.EUNAUTHENTICATED, sc.ErrorCode(err))
	got, err = tb.d.StoreDonations(admin(), other.ID)
	require.NoError(t, err)
	require.Equal(t, int64(300), got.Fees.IntakeCents)
	require.Equal(t, "98-7654321", got.EIN)
}

// Hostile values on the settings forms are refused with a page, never an internal error, and
// change nothing; the pages carry no inline script.
func TestManagerSettingsHostileInputs(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	tb.beneficiary(t)
	boss := tb.account(t, "SCS", "zed@example.org", sc.StaffManager)
	before := tb.donations(t)
	for _, tc := range []struct {
		page, action string
		values       url.Values
	}{
		{"/portal/settings", "/settings/fees", url.Values{"fees.intakeCents": {"99999999999999999999"}, "fees.storageCents": {"\x00"}, "ein": {"\xff\xfe"}}},
		{"/portal/settings", "/settings/fees", url.Values{"beneficiary": {"99999999999999999999"}}},
		{"/portal/settings", "/settings/fees", url.Values{"beneficiary": {"424242"}}},
		{"/portal/settings", "/settings/fees", url.Values{"ein": {strings.Repeat("1", 5000)}}},
		{"/portal/settings/routing", "/settings/routing", url.Values{"category": {"nul\x00byte"}, "grade": {"GOOD"}, "route": {"SALE"}}},
		{"/portal/settings/routing", "/settings/routing", url.Values{"category": {"\xff\xfe"}, "grade": {"GOOD"}, "route": {"SALE"}}},
		{"/portal/settings/routing", "/settings/routing", url.Values{"category": {strings.Repeat("c", 5000)}, "grade": {"good"}, "route": {"sale"}}},
		{"/portal/settings/increments", "/settings/increments", url.Values{"rows": {"100000"}, "steps.60.fromCents": {"1"}, "steps.0.incrementCents": {"1e99"}}},
		{"/portal/settings/increments", "/settings/increments", url.Values{"rows": {"-5"}}},
	} {
		res := boss.get(t, tc.page)
		require.NotRegexp(t, `<script(?:[^>]*)>[^<]`, res.body, "an inline script on %s", tc.page)
		require.NotRegexp(t, ` on[a-z]+="`, res.body, "an inline event handler on %s", tc.page)
		res = boss.submit(t, tc.action, tc.values)
		require.Less(t, res.status, 500, "%v: %s", tc.values, res.body)
		require.GreaterOrEqual(t, res.status, 400, "%v was accepted", tc.values)
	}
	require.Equal(t, before, tb.donations(t))
	rules, err := tb.d.RoutingRules(admin(), tb.scs(t))
	require.NoError(t, err)
	require.Empty(t, rules)
	_, v := tb.increments(t)
	require.Zero(t, v)
}
