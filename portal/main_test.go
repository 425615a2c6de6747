package portal_test

import (
	"context"
	"io"
	"mime/quotedprintable"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	netmail "net/mail"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alexedwards/scs/postgresstore"
	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db"
	"github.com/secondchance/secondchance/db/dbtest"
	schttp "github.com/secondchance/secondchance/http"
	"github.com/secondchance/secondchance/http/apitest"
	"github.com/secondchance/secondchance/jobs"
	"github.com/secondchance/secondchance/portal"
)

// testBundle is the real server, portal included, on a database of its own, whose staff emails
// go to a real SMTP server on loopback.
type testBundle struct {
	d    *db.DB
	url  string
	smtp *testSMTP
	// offset moves the server's clock on from real time (advance), to reach a deadline
	// such as a lot's payment window without waiting for it.
	offset *atomic.Int64
}

func setup(t testing.TB) *testBundle {
	t.Helper()
	d := dbtest.New(t)
	apitest.Prepare(t, d)
	tb := &testBundle{d: d, smtp: startSMTP(t), offset: new(atomic.Int64)}
	d.Now = func() time.Time { return time.Now().Add(time.Duration(tb.offset.Load())) }
	var h http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	tb.url = srv.URL
	mailer, err := jobs.NewMailer(tb.smtp.URL())
	require.NoError(t, err)
	d.StaffMail = jobs.StaffMail(mailer, "Second Chance <no-reply@secondchance.test>", srv.URL)
	cfg := apitest.Config()
	cfg.PublicURL = srv.URL
	services := d.Services(schttp.NewLinks(cfg))
	// No clean-up goroutine: the test's database goes with the test.
	p := portal.New(services, portal.WithSessionStore(postgresstore.NewWithCleanupInterval(d.DB.DB, 0)))
	h = schttp.NewServer(cfg, services, schttp.WithPortal(p))
	return tb
}

// advance moves the server's clock on by by.
func (tb *testBundle) advance(by time.Duration) { tb.offset.Add(int64(by)) }

func admin() context.Context { return sc.NewSystemContext(context.Background()) }

var linkRE = regexp.MustCompile(`https?://\S+/portal/(invitation|password-reset)/[A-Za-z0-9_-]+`)

// invite has an admin invite email to store and returns the link of the email it received.
func (tb *testBundle) invite(t testing.TB, store, email string, role sc.StaffRole) string {
	t.Helper()
	n := len(tb.smtp.Received())
	_, err := tb.d.InviteStaff(admin(), sc.InviteInput{StoreCode: store, Email: email, Name: "Pat " + strings.Split(email, "@")[0], Role: role})
	require.NoError(t, err)
	return tb.smtp.linkTo(t, email, n)
}

// account opens an account through the pages (invitation link, password) and returns a
// client logged in with it.
func (tb *testBundle) account(t testing.TB, store, email string, role sc.StaffRole) *client {
	t.Helper()
	link := tb.invite(t, store, email, role)
	c := tb.client(t)
	c.get(t, link)
	res := c.submit(t, "", url.Values{"password": {"a good long password"}, "confirm": {"a good long password"}})
	require.Equal(t, http.StatusOK, res.status, res.body)
	c.login(t, email, "a good long password")
	return c
}

// client is a browser without JavaScript: it keeps cookies and the last page, and submits
// the page's forms with their hidden fields.
type client struct {
	tb   *testBundle
	http *http.Client
	last response
}

type response struct {
	status int
	body   string
	url    string
}

func (tb *testBundle) client(t testing.TB) *client {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &client{tb: tb, http: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

func (c *client) do(t testing.TB, req *http.Request) response {
	t.Helper()
	res, err := c.http.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	c.last = response{status: res.StatusCode, body: string(b), url: res.Request.URL.String()}
	return c.last
}

func (c *client) get(t testing.TB, path string) response {
	t.Helper()
	if !strings.HasPrefix(path, "http") {
		path = c.tb.url + path
	}
	req, err := http.NewRequest(http.MethodGet, path, nil)
	require.NoError(t, err)
	return c.do(t, req)
}

func (c *client) post(t testing.TB, action string, form url.Values) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.tb.url+action, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(t, req)
}

var (
	formRE     = regexp.MustCompile(`(?s)<form method="post" action="([^"]+)"[^>]*>(.*?)</form>`)
	inputRE    = regexp.MustCompile(`(?s)<input ([^>]*)>`)
	attrRE     = regexp.MustCompile(`([a-z-]+)(?:="([^"]*)")?`)
	selectRE   = regexp.MustCompile(`(?s)<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>`)
	optionRE   = regexp.MustCompile(`<option value="([^"]*)"( selected)?>`)
	textareaRE = regexp.MustCompile(`(?s)<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>`)
)

// formValues is what a browser would send of a form's controls as they stand.
func formValues(body string) url.Values {
	v := url.Values{}
	for _, m := range inputRE.FindAllStringSubmatch(body, -1) {
		attrs := map[string]string{}
		for _, a := range attrRE.FindAllStringSubmatch(m[1], -1) {
			attrs[a[1]] = htmlUnescape(a[2])
		}
		_, checked := attrs["checked"]
		switch {
		case attrs["name"] == "":
		case attrs["type"] == "checkbox" && !checked:
		case attrs["type"] == "checkbox":
			value, ok := attrs["value"]
			if !ok {
				value = "on"
			}
			v.Add(attrs["name"], value)
		default:
			v.Set(attrs["name"], attrs["value"])
		}
	}
	for _, m := range selectRE.FindAllStringSubmatch(body, -1) {
		opts := optionRE.FindAllStringSubmatch(m[2], -1)
		if len(opts) == 0 {
			continue
		}
		v.Set(m[1], htmlUnescape(opts[0][1]))
		for _, o := range opts {
			if o[2] != "" {
				v.Set(m[1], htmlUnescape(o[1]))
			}
		}
	}
	for _, m := range textareaRE.FindAllStringSubmatch(body, -1) {
		v.Set(m[1], htmlUnescape(m[2]))
	}
	return v
}

// form returns the action and the values of the last page's POST form whose action ends
// with action ("" for the first form that is not the logout's).
func (c *client) form(t testing.TB, action string) (string, url.Values) {
	t.Helper()
	for _, m := range formRE.FindAllStringSubmatch(c.last.body, -1) {
		a := htmlUnescape(m[1])
		if strings.HasSuffix(a, "/logout") && action != "/logout" || action != "" && !strings.HasSuffix(a, action) {
			continue
		}
		return a, formValues(m[2])
	}
	t.Fatalf("no form with action %q on %s:\n%s", action, c.last.url, c.last.body)
	return "", nil
}

// submit posts the last page's form as it stands, with the values given changed.
func (c *client) submit(t testing.TB, action string, values url.Values) response {
	t.Helper()
	a, form := c.form(t, action)
	for k, v := range values {
		form[k] = v
	}
	return c.post(t, a, form)
}

func (c *client) login(t testing.TB, email, password string) response {
	t.Helper()
	c.get(t, "/portal/login")
	res := c.submit(t, "/login", url.Values{"email": {email}, "password": {password}})
	return res
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#43;", "+", "&#34;", `"`, "&lt;", "<", "&gt;", ">", "&#39;", "'").Replace(s)
}

// messageCode is the code of a message page (data-code), or "".
func messageCode(body string) string {
	m := regexp.MustCompile(`data-code="([^"]*)"`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// testSMTP is the shared test SMTP server, with the portal's reading of its links.
type testSMTP struct{ *apitest.SMTP }

func startSMTP(t testing.TB) *testSMTP { return &testSMTP{apitest.StartSMTP(t)} }

// linkTo returns the portal link of the first mail to addr after the first skip mails. The
// staff service sends before it answers, so the mail is there once the call returned.
func (ts *testSMTP) linkTo(t testing.TB, addr string, skip int) string {
	t.Helper()
	for _, m := range ts.Received()[skip:] {
		if len(m.To) == 1 && m.To[0] == addr {
			msg, err := netmail.ReadMessage(strings.NewReader(m.Data))
			require.NoError(t, err)
			var r io.Reader = msg.Body
			if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
				r = quotedprintable.NewReader(msg.Body)
			}
			b, err := io.ReadAll(r)
			require.NoError(t, err)
			link := linkRE.FindString(string(b))
			require.NotEmpty(t, link, "no portal link in:\n%s", b)
			return link
		}
	}
	t.Fatalf("no mail to %s", addr)
	return ""
}
