package portal_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db/dbtest"
)

// returnTo makes a seller's return authorisation of two lines to the store SCS.
func (tb *testBundle) returnTo(t testing.TB) *sc.ReturnAuthorization {
	t.Helper()
	order := dbtest.Order(t, tb.d, nil)
	sellers, err := tb.d.SellersByID(admin(), []int64{order.SellerID})
	require.NoError(t, err)
	seller, _ := dbtest.As(t, tb.d, sc.TokenInput{Role: sc.RoleSeller, SellerNumber: sellers[0].Number})
	usd := func(a string) sc.MoneyInput { return sc.MoneyInput{Amount: a, Currency: "USD"} }
	rma, err := tb.d.CreateRMA(seller, sc.RMAInput{OrderNumber: order.Number, Items: []sc.RMAItemInput{
		{Description: "Desk lamp", Quantity: 1, Category: "Household", DeclaredValue: usd("30")},
		{Description: "Wool scarf", Quantity: 1, Category: "Clothing", DeclaredValue: usd("15")},
	}})
	require.NoError(t, err)
	return rma
}

// beneficiary gives SCS a default beneficiary, an EIN and an intake fee of 1.00, so its items
// settle and their certificates are issued.
func (tb *testBundle) beneficiary(t testing.TB) {
	t.Helper()
	ben, err := tb.d.CreateBeneficiary(admin(), sc.BeneficiaryInput{Name: "Food Pantry", EIN: "43-7654321", AddressLine1: "1 Main Street",
		City: "Independence", Region: "MO", PostalCode: "64050", Country: "US"})
	require.NoError(t, err)
	ein := "12-3456789"
	require.NoError(t, tb.d.SetStoreDonations(admin(), "SCS", sc.FeeSchedule{IntakeCents: 100}, ben.ID, &ein))
}

var itemLinkRE = regexp.MustCompile(`href="/portal/items/(\d+)"`)

// receive logs the parcel of rma through the intake pages, both lines present, and returns
// the IDs of its items.
func (c *client) receive(t testing.TB, rma *sc.ReturnAuthorization) []string {
	t.Helper()
	res := c.get(t, "/portal/intake/receive?code="+rma.Code)
	require.Equal(t, http.StatusOK, res.status, res.body)
	res = c.submit(t, "/intake/receive", nil)
	require.Equal(t, http.StatusOK, res.status, res.body)
	require.Contains(t, res.url, "/portal/parcels/")
	var ids []string
	for _, m := range itemLinkRE.FindAllStringSubmatch(res.body, -1) {
		ids = append(ids, m[1])
	}
	require.Len(t, ids, 2)
	return ids
}

func TestInvitationLoginAndLogout(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	link := tb.invite(t, "SCS", "ana@example.org", sc.StaffMember)
	c := tb.client(t)
	res := c.get(t, link)
	require.Equal(t, http.StatusOK, res.status)
	require.Contains(t, res.body, "ana@example.org")

	res = c.submit(t, "", url.Values{"password": {"short"}, "confirm": {"other"}})
	require.Equal(t, http.StatusUnprocessableEntity, res.status)
	require.Contains(t, res.body, `id="f-password-error"`, "the message is beside its field")
	require.Contains(t, res.body, `id="f-confirm-error"`)

	res = c.submit(t, "", url.Values{"password": {"a good long password"}, "confirm": {"a good long password"}})
	require.Equal(t, http.StatusOK, res.status)
	require.True(t, strings.HasSuffix(res.url, "/portal/login"), res.url)

	t.Run("ErrReusedInvitation", func(t *testing.T) {
		res := tb.client(t).get(t, link)
		require.Equal(t, http.StatusGone, res.status)
		require.Equal(t, sc.EINVITATION, messageCode(res.body))
	})
	t.Run("ErrWrongPassword", func(t *testing.T) {
		c := tb.client(t)
		res := c.login(t, "ana@example.org", "not the password")
		require.Equal(t, http.StatusUnauthorized, res.status)
		require.Contains(t, res.body, "the email or the password is wrong")
		require.Contains(t, res.body, `value="ana@example.org"`, "what was typed is kept")
		require.NotContains(t, res.body, "not the password", "a password is never sent back")
	})

	res = c.login(t, "ana@example.org", "a good long password")
	require.Equal(t, http.StatusOK, res.status, res.body)
	require.Contains(t, res.body, "<h1>Dashboard</h1>")
	require.NotContains(t, res.body, `href="/portal/staff"`, "staff members do not manage staff")

	res = c.submit(t, "/logout", nil)
	require.True(t, strings.HasSuffix(res.url, "/portal/login"), res.url)
	res = c.get(t, "/portal/items")
	require.True(t, strings.HasSuffix(res.url, "/portal/login?next=%2Fportal%2Fitems"), "logged out: %s", res.url)
}

func TestExpiredInvitation(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	link := tb.invite(t, "SCS", "late@example.org", sc.StaffMember)
	tb.d.Now = func() time.Time { return time.Now().Add(sc.InvitationTTL + time.Hour) }
	res := tb.client(t).get(t, link)
	require.Equal(t, http.StatusGone, res.status)
	require.Equal(t, sc.EINVITATION, messageCode(res.body))
}

func TestStaleCSRFTokenChangesNothing(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	c := tb.account(t, "SCS", "kai@example.org", sc.StaffMember)
	rma := tb.returnTo(t)
	c.get(t, "/portal/intake/receive?code="+rma.Code)
	action, form := c.form(t, "/intake/receive")
	form.Set("csrf", "a token of another session")
	res := c.post(t, action, form)
	require.Equal(t, http.StatusForbidden, res.status)
	require.Equal(t, "STALE_FORM", messageCode(res.body))
	var parcels int
	require.NoError(t, tb.d.Get(&parcels, `SELECT count(*) FROM parcels`))
	require.Zero(t, parcels)

	// Sent from another site, even with the right token, it is refused before it is read.
	c.get(t, "/portal/intake/receive?code="+rma.Code)
	action, form = c.form(t, "/intake/receive")
	req, err := http.NewRequest(http.MethodPost, tb.url+action, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res = c.do(t, req)
	require.Equal(t, http.StatusForbidden, res.status)
	require.Equal(t, "CROSS_ORIGIN", messageCode(res.body))
	require.NoError(t, tb.d.Get(&parcels, `SELECT count(*) FROM parcels`))
	require.Zero(t, parcels)

	// A form loaded before logging out is stale after logging in again: the token is new.
	c.get(t, "/portal/intake/receive?code="+rma.Code)
	action, form = c.form(t, "/intake/receive")
	c.submit(t, "/logout", nil)
	c.login(t, "kai@example.org", "a good long password")
	res = c.post(t, action, form)
	require.Equal(t, http.StatusForbidden, res.status)
	require.NoError(t, tb.d.Get(&parcels, `SELECT count(*) FROM parcels`))
	require.Zero(t, parcels)
}

// A form posted twice at once (a double click) takes effect once, and both answers lead to
// the same page.
func TestDoubleSubmitHasOneEffect(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	c := tb.account(t, "SCS", "dee@example.org", sc.StaffMember)
	c.get(t, "/portal/intake/receive?unmatched=1&code=1Z999AA10123456784")
	require.Contains(t, c.last.body, "Arrived labelled 1Z999AA10123456784", "the label goes into the notes")
	action, form := c.form(t, "/intake/receive")
	form.Set("items.0.description", "A box of books")
	form.Set("items.0.grade", "GOOD")
	var wg sync.WaitGroup
	urls := make([]string, 2)
	for i := range urls {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodPost, tb.url+action, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			res, err := c.http.Do(req)
			if err == nil {
				urls[i] = res.Request.URL.Path
				if res.StatusCode == http.StatusConflict {
					urls[i] = "already sent"
				}
				res.Body.Close()
			}
		})
	}
	wg.Wait()
	var parcels int
	require.NoError(t, tb.d.Get(&parcels, `SELECT count(*) FROM parcels`))
	require.Equal(t, 1, parcels, "one parcel, not two")
	require.Contains(t, urls[0]+urls[1], "/portal/parcels/")

	// Sent again once the first finished, it leads where the first did.
	res := c.post(t, action, form)
	require.Equal(t, http.StatusOK, res.status)
	require.Contains(t, res.url, "/portal/parcels/")
	require.NoError(t, tb.d.Get(&parcels, `SELECT count(*) FROM parcels`))
	require.Equal(t, 1, parcels)
}

func TestAnotherStoresRecordsAreNotFound(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	dbtest.Store(t, tb.d, &dbtest.StoreOpts{Code: ptr("KC1")})
	mine := tb.account(t, "SCS", "sam@example.org", sc.StaffMember)
	other := tb.account(t, "KC1", "kc@example.org", sc.StaffMember)
	ids := mine.receive(t, tb.returnTo(t))
	parcel := regexp.MustCompile(`/portal/parcels/(\d+)`).FindStringSubmatch(mine.last.url)[1]

	for _, path := range []string{"/portal/items/" + ids[0], "/portal/parcels/" + parcel, "/portal/items/" + ids[0] + "/tag", "/portal/items/nope", "/portal/nowhere"} {
		res := other.get(t, path)
		require.Equal(t, http.StatusNotFound, res.status, path)
		require.Equal(t, sc.ENOTFOUND, messageCode(res.body), path)
		require.NotContains(t, res.body, "Desk lamp", path)
	}
	// Nor can it act on them: a sale posted with its own session's keys finds no item.
	other.get(t, "/portal/items")
	_, form := other.form(t, "/logout")
	form.Set("once", "k1")
	form.Set("price.amount", "5")
	res := other.post(t, "/portal/items/"+ids[0]+"/sale", form)
	require.Equal(t, http.StatusNotFound, res.status)
	var sales int
	require.NoError(t, tb.d.Get(&sales, `SELECT count(*) FROM sales`))
	require.Zero(t, sales)
}

func TestItemsRouteSellVoid(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	c := tb.account(t, "SCS", "ivo@example.org", sc.StaffMember)
	ids := c.receive(t, tb.returnTo(t))
	item := "/portal/items/" + ids[0]
	c.get(t, item)
	res := c.submit(t, "/route", url.Values{"route": {"SALE"}})
	require.Equal(t, http.StatusOK, res.status, res.body)
	require.Contains(t, res.body, `data-status="LISTED"`)

	res = c.submit(t, "/sale", url.Values{"price.amount": {"twelve"}})
	require.Equal(t, http.StatusUnprocessableEntity, res.status)
	require.Contains(t, res.body, `id="f-price.amount-error"`)
	require.Contains(t, res.body, `value="twelve"`, "what was typed is kept")
	res = c.submit(t, "/sale", url.Values{"price.amount": {"12.50"}})
	require.Equal(t, http.StatusOK, res.status, res.body)
	require.Contains(t, res.body, `data-status="SOLD"`)
	require.Contains(t, res.body, "12.50 USD")

	res = c.submit(t, "/void", url.Values{"reason": {""}})
	require.Equal(t, http.StatusUnprocessableEntity, res.status)
	require.Contains(t, res.body, `id="f-reason-error"`)
	res = c.submit(t, "/void", url.Values{"reason": {"rang up the wrong item"}})
	require.Equal(t, http.StatusOK, res.status)
	require.Contains(t, res.body, `data-status="LISTED"`)

	tag := c.get(t, item+"/tag?tagPrice=9.99")
	require.Equal(t, http.StatusOK, tag.status)
	require.True(t, strings.HasPrefix(tag.body, "%PDF-"))
	bad := c.get(t, item+"/tag?tagPrice=abc")
	require.Equal(t, http.StatusUnprocessableEntity, bad.status)
	require.Contains(t, bad.body, `id="f-tagPrice-error"`)

	list := c.get(t, "/portal/items?status=LISTED")
	require.Contains(t, list.body, fmt.Sprintf(`href="/portal/items/%s"`, ids[0]))
	require.NotContains(t, list.body, fmt.Sprintf(`href="/portal/items/%s"`, ids[1]), "the other item is not routed yet")
	found := c.get(t, "/portal/items/find?code="+sc.ItemCode(int64(atoi(t, ids[1]))))
	require.True(t, strings.HasSuffix(found.url, "/portal/items/"+ids[1]))
}

func TestManagerInvitesAndDisables(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	boss := tb.account(t, "SCS", "boss@example.org", sc.StaffManager)
	member := tb.account(t, "SCS", "mo@example.org", sc.StaffMember)
	res := member.get(t, "/portal/staff")
	require.Equal(t, http.StatusForbidden, res.status)

	boss.get(t, "/portal/staff")
	res = boss.submit(t, "/staff/invite", url.Values{"name": {""}, "email": {"nope"}})
	require.Equal(t, http.StatusUnprocessableEntity, res.status)
	require.Contains(t, res.body, `id="f-email-error"`)
	require.Contains(t, res.body, `id="f-name-error"`)
	n := len(tb.smtp.Received())
	res = boss.submit(t, "/staff/invite", url.Values{"name": {"New Person"}, "email": {"new@example.org"}, "role": {"STAFF"}})
	require.Equal(t, http.StatusOK, res.status)
	require.Contains(t, res.body, "new@example.org")
	require.NotEmpty(t, tb.smtp.linkTo(t, "new@example.org", n))

	var moID int64
	require.NoError(t, tb.d.Get(&moID, `SELECT id FROM staff_accounts WHERE email = 'mo@example.org'`))
	res = boss.submit(t, fmt.Sprintf("/staff/%d/disable", moID), nil)
	require.Equal(t, http.StatusOK, res.status)
	res = member.get(t, "/portal/items")
	require.Contains(t, res.url, "/portal/login", "a disabled account's session ends")
	require.Contains(t, res.body, "You were logged out")
}

func TestPasswordResetByEmail(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	c := tb.account(t, "SCS", "rae@example.org", sc.StaffMember)
	other := tb.client(t)
	other.get(t, "/portal/password-reset")
	n := len(tb.smtp.Received())
	res := other.submit(t, "/password-reset", url.Values{"email": {"rae@example.org"}})
	require.Equal(t, http.StatusOK, res.status)
	require.Contains(t, res.body, "If rae@example.org has an account")
	link := tb.smtp.linkTo(t, "rae@example.org", n)
	other.get(t, link)
	res = other.submit(t, "", url.Values{"password": {"a brand new password"}, "confirm": {"a brand new password"}})
	require.Equal(t, http.StatusOK, res.status)
	require.Equal(t, http.StatusUnauthorized, tb.client(t).login(t, "rae@example.org", "a good long password").status)
	require.Contains(t, tb.client(t).login(t, "rae@example.org", "a brand new password").body, "<h1>Dashboard</h1>")
	res = c.get(t, "/portal/items")
	require.Contains(t, res.url, "/portal/login", "the old session is logged out by the reset")
	require.Equal(t, http.StatusGone, tb.client(t).get(t, link).status, "a reset link works once")
}

func TestLoginThrottled(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	tb.account(t, "SCS", "tia@example.org", sc.StaffMember)
	c := tb.client(t)
	for range sc.LoginAccountLimit {
		require.Equal(t, http.StatusUnauthorized, c.login(t, "tia@example.org", "wrong wrong wrong").status)
	}
	res := c.login(t, "tia@example.org", "a good long password")
	require.Equal(t, http.StatusTooManyRequests, res.status)
	require.Contains(t, res.body, "too many failed logins")
}

func ptr[T any](v T) *T { return &v }

func atoi(t *testing.T, s string) int {
	var n int
	_, err := fmt.Sscan(s, &n)
	require.NoError(t, err)
	return n
}

func TestSettleAndCertificates(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	tb.beneficiary(t)
	c := tb.account(t, "SCS", "cy@example.org", sc.StaffMember)
	for _, id := range c.receive(t, tb.returnTo(t)) {
		c.get(t, "/portal/items/"+id)
		c.submit(t, "/route", url.Values{"route": {"SALE"}})
		res := c.submit(t, "/sale", url.Values{"price.amount": {"10.00"}})
		require.Contains(t, res.body, `data-status="SOLD"`)
	}
	c.get(t, "/portal/items?status=SOLD")
	res := c.submit(t, "/items/settle", nil)
	require.Equal(t, http.StatusOK, res.status, res.body)
	require.Contains(t, res.body, "Settled 2 item(s): 18.00 USD for charity.")

	c.get(t, "/portal/certificates")
	res = c.submit(t, "/certificates/issue", nil)
	require.Equal(t, http.StatusOK, res.status, res.body)
	require.Contains(t, res.body, "Issued 1 certificate(s) for 2 item(s).")
	m := regexp.MustCompile(`href="(/portal/certificates/\d+)"`).FindStringSubmatch(res.body)
	require.NotNil(t, m, res.body)
	res = c.get(t, m[1])
	pdf := regexp.MustCompile(`href="([^"]+)" hx-boost="false" class="download"`).FindStringSubmatch(res.body)
	require.NotNil(t, pdf)
	file := c.get(t, htmlUnescape(pdf[1]))
	require.Equal(t, http.StatusOK, file.status)
	require.True(t, strings.HasPrefix(file.body, "%PDF-"))

	c.get(t, m[1])
	res = c.submit(t, "/void", url.Values{"reason": {" "}})
	require.Equal(t, http.StatusUnprocessableEntity, res.status)
	require.Contains(t, res.body, `id="f-reason-error"`)
	res = c.submit(t, "/void", url.Values{"reason": {"the donor's name was misspelt"}})
	require.Equal(t, http.StatusOK, res.status)
	require.Contains(t, res.body, `data-status="VOID"`)
	require.Contains(t, res.body, "It is replaced by")

	dbtest.Store(t, tb.d, &dbtest.StoreOpts{Code: ptr("KC2")})
	other := tb.account(t, "KC2", "kc2@example.org", sc.StaffMember)
	require.Equal(t, http.StatusNotFound, other.get(t, m[1]).status, "another store's certificate")
}

// A refused form changed nothing, so the same form sent again, corrected, is not a repeat.
func TestRefusedFormCanBeSentAgain(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	c := tb.account(t, "SCS", "uma@example.org", sc.StaffMember)
	ids := c.receive(t, tb.returnTo(t))
	c.get(t, "/portal/items/"+ids[0])
	c.submit(t, "/route", url.Values{"route": {"SALE"}})
	action, form := c.form(t, "/sale")
	form.Set("price.amount", "-1")
	require.Equal(t, http.StatusUnprocessableEntity, c.post(t, action, form).status)
	form.Set("price.amount", "3.00")
	res := c.post(t, action, form)
	require.Equal(t, http.StatusOK, res.status)
	require.Contains(t, res.body, `data-status="SOLD"`)
}

// The pages run only the portal's own scripts: the policy allows no inline script, no page
// has one, the session cookie is HttpOnly and SameSite=Lax, and htmx is served by the binary.
func TestPagesAllowNoInlineScript(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	res, err := http.Get(tb.url + "/portal/login")
	require.NoError(t, err)
	res.Body.Close()
	csp := res.Header.Get("Content-Security-Policy")
	require.Contains(t, csp, "script-src 'self';")
	require.NotContains(t, csp, "unsafe-inline")
	require.NotContains(t, csp, "unsafe-eval")
	require.Equal(t, "DENY", res.Header.Get("X-Frame-Options"))
	cookie := res.Header.Get("Set-Cookie")
	require.Contains(t, cookie, "sc_portal=")
	require.Contains(t, cookie, "HttpOnly")
	require.Contains(t, cookie, "SameSite=Lax")
	require.Contains(t, cookie, "Path=/portal")
	require.NotContains(t, cookie, "Secure", "the test server is plain http")

	c := tb.account(t, "SCS", "zed@example.org", sc.StaffManager)
	for _, path := range []string{"/portal/", "/portal/intake", "/portal/items", "/portal/staff", "/portal/certificates"} {
		res := c.get(t, path)
		require.Equal(t, http.StatusOK, res.status, path)
		require.NotRegexp(t, `<script(?:[^>]*)>[^<]`, res.body, "an inline script on %s", path)
		require.NotRegexp(t, ` on[a-z]+="`, res.body, "an inline event handler on %s", path)
	}
	for _, f := range []string{"htmx.min.js", "htmx-ext-sse.min.js", "portal.css"} {
		res, err := http.Get(tb.url + "/portal/static/" + f)
		require.NoError(t, err)
		res.Body.Close()
		require.Equal(t, http.StatusOK, res.StatusCode, f)
		require.Empty(t, res.Header.Get("Set-Cookie"), "assets need no session")
	}
}

// A parcel that came without a code is logged unmatched, then matched from its page once its
// authorisation is found: its items take their lines and the discrepancies are found.
func TestMatchUnmatchedParcel(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	c := tb.account(t, "SCS", "max@example.org", sc.StaffMember)
	rma := tb.returnTo(t)
	c.get(t, "/portal/intake/receive?unmatched=1")
	res := c.submit(t, "/intake/receive", url.Values{"items.0.description": {"A lamp"}, "items.0.grade": {"FAIR"}})
	require.Equal(t, http.StatusOK, res.status, res.body)
	require.Contains(t, res.body, "Match this parcel")
	require.Contains(t, c.get(t, "/portal/intake").body, "Unmatched parcels")

	parcel := regexp.MustCompile(`/portal/parcels/(\d+)`).FindStringSubmatch(res.url)[1]
	c.get(t, "/portal/parcels/"+parcel)
	res = c.submit(t, "/match", url.Values{"rmaCode": {"RMA-NOSUCH"}, "lines.0.rmaLine": {"x"}})
	require.Equal(t, http.StatusUnprocessableEntity, res.status)
	require.Contains(t, res.body, `id="f-lines.0.rmaLine-error"`)
	res = c.submit(t, "/match", url.Values{"rmaCode": {"RMA-NOSUCH"}, "lines.0.rmaLine": {"1"}})
	require.Equal(t, http.StatusNotFound, res.status)
	require.Contains(t, res.body, `id="f-rmaCode-error"`)
	res = c.submit(t, "/match", url.Values{"rmaCode": {rma.Code}, "lines.0.rmaLine": {"9"}})
	require.Equal(t, http.StatusUnprocessableEntity, res.status)
	require.Contains(t, res.body, `id="f-lines.0.rmaLine-error"`, "the service's error on lines.0 is shown on its row")
	res = c.submit(t, "/match", url.Values{"rmaCode": {rma.Code}, "lines.0.rmaLine": {"1"}})
	require.Equal(t, http.StatusOK, res.status, res.body)
	require.Contains(t, res.body, "The parcel is matched to "+rma.Code)
	require.Contains(t, res.body, `data-kind="MISSING_ITEM"`, "line 2 has no item")
	require.NotContains(t, res.body, "Match this parcel")
}

// Malformed input gets an answer about it, never an internal error, and changes nothing.
func TestHostileInputsGetNoInternalError(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	c := tb.account(t, "SCS", "hal@example.org", sc.StaffMember)
	ids := c.receive(t, tb.returnTo(t))
	for _, path := range []string{"/portal/items?status=NOPE", "/portal/items?after=garbage", "/portal/items/find?code=%00",
		"/portal/parcels/-1", "/portal/parcels/99999999999999999999", "/portal/items/" + ids[0] + "/tag?tagPrice=1e99",
		"/portal/intake/receive?code=%ff%fe", "/portal/intake/receive?code=" + strings.Repeat("A", 5000), "/portal/certificates?after=x",
		"/portal/invitation/" + strings.Repeat("x", 500), "/portal/password-reset/%00"} {
		res := c.get(t, path)
		require.Less(t, res.status, 500, "%s: %s", path, res.body)
	}
	c.get(t, "/portal/intake/receive?unmatched=1")
	for _, values := range []url.Values{
		{"rows": {"100000"}, "items.0.description": {"x"}, "items.0.grade": {"SHINY"}},
		{"rows": {"1"}, "items.0.description": {"nul\x00byte"}, "items.0.grade": {"GOOD"}},
		{"rows": {"1"}, "items.0.description": {"\xff\xfe"}, "items.0.grade": {"GOOD"}},
		{"rows": {"1"}, "items.0.description": {"ok"}, "items.0.grade": {"GOOD"}, "items.0.rmaLine": {"abc"}, "items.0.present": {"on"}},
		{"rows": {"1"}, "items.0.description": {strings.Repeat("long ", 400)}, "items.0.grade": {"GOOD"}, "notes": {strings.Repeat("n", 3000)}},
	} {
		_, form := c.form(t, "/intake/receive")
		for k, v := range values {
			form[k] = v
		}
		res := c.post(t, "/portal/intake/receive", form)
		require.Less(t, res.status, 500, "%v: %s", values, res.body)
		require.GreaterOrEqual(t, res.status, 400, "%v was accepted", values)
	}
	var parcels int
	require.NoError(t, tb.d.Get(&parcels, `SELECT count(*) FROM parcels`))
	require.Equal(t, 1, parcels, "only the parcel received properly")
	res := tb.client(t).login(t, "nul\x00@example.org", "\xff\xfe password")
	require.Less(t, res.status, 500, res.body)
}
