package portal_test

import (
	"context"
	_ "embed"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
)

//go:embed testdata/axe.min.js
var axeSource string

var screenshots = flag.String("screenshots", "", "TestBrowserDemoPages: write a PNG of each main page on the demo data into this `folder` (../docs/screenshots)")

// The browser is started once per test process and closed by TestMain; each test works in a
// browser context of its own (its own cookies), so tests run in parallel.
var (
	browserOnce   sync.Once
	browserCtx    context.Context
	browserErr    error
	browserCancel = func() {}
)

// TestMain keeps the access log out of test output, and closes the browser at the end.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	flag.Parse()
	code := m.Run()
	browserCancel()
	os.Exit(code)
}

func chromium() (context.Context, error) {
	browserOnce.Do(func() {
		path, err := exec.LookPath("chromium")
		if err != nil {
			browserErr = fmt.Errorf("chromium is not installed (make test installs it with portal/install-chromium.sh): %w", err)
			return
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.WindowSize(1024, 1366))
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelCtx := chromedp.NewContext(alloc)
		browserCancel = func() { cancelCtx(); cancelAlloc() }
		browserCtx, browserErr = ctx, chromedp.Do(ctx) // starts the browser
	})
	return browserCtx, browserErr
}

// tab is one tab of a fresh browser context, at the portal of tb.
type tab struct {
	t   *testing.T
	ctx context.Context
	tb  *testBundle
}

func (tb *testBundle) tab(t *testing.T) *tab {
	t.Helper()
	parent, err := chromium()
	require.NoError(t, err)
	ctx, cancel := chromedp.NewContext(parent, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	// A bound on the whole test, should the page never show what it waits for: every wait
	// below is for an element or a condition, never for a time.
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(cancelTimeout)
	return &tab{t: t, ctx: ctx, tb: tb}
}

func (b *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	require.NoError(b.t, chromedp.Do(b.ctx, actions...))
}

func eval[T any](b *tab, js string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	require.NoError(b.t, err, js)
	return v
}

// open navigates to path and waits for its page.
func (b *tab) open(path string) {
	b.t.Helper()
	if !strings.HasPrefix(path, "http") {
		path = b.tb.url + path
	}
	b.do(chromedp.Navigate(path))
	b.waitFor("document.readyState === 'complete'")
}

// waitFor waits until the expression is true in the page: htmx swaps pages in place, so a
// page is known by what it shows, not by a load event.
func (b *tab) waitFor(js string) {
	b.t.Helper()
	_, err := chromedp.Run(b.ctx, chromedp.Poll[bool](js, chromedp.WithPollingMutation()))
	require.NoError(b.t, err, "waiting for %s", js)
}

// waitTitle waits for the page whose heading is h1.
func (b *tab) waitTitle(h1 string) {
	b.t.Helper()
	b.waitFor(fmt.Sprintf("(document.querySelector('main h1')?.textContent === %q) && document.title.startsWith(%q)", h1, h1))
}

func (b *tab) fill(id, value string) {
	b.t.Helper()
	b.do(chromedp.Clear(byID(id)), chromedp.SendKeys(byID(id), value))
}

// check runs the checks every page passes: no WCAG 2.1 A or AA violation that axe-core
// finds, and every control reachable with the Tab key, in a visible order.
func (b *tab) check(name string) {
	b.t.Helper()
	if !eval[bool](b, `typeof axe !== 'undefined'`) {
		_, err := chromedp.Run(b.ctx, chromedp.Evaluate[*runtime.RemoteObject](axeSource))
		require.NoError(b.t, err)
	}
	violations := eval[[]string](b, `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
		.then(r => r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at ' + v.nodes.map(n => n.target.join(' ')).join(', ')))`)
	require.Empty(b.t, violations, "axe on %s", name)

	// Tab from the top of the page through every control; each must get the focus once.
	want := eval[int](b, `(() => { document.activeElement?.blur(); window.scrollTo(0, 0);
		window.__focusable = [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea')]
			.filter(e => !e.disabled && e.offsetParent !== null && e.tabIndex >= 0);
		window.__reached = new Set(); document.addEventListener('focusin', e => window.__reached.add(e.target));
		return window.__focusable.length; })()`)
	for range want + 1 {
		b.do(chromedp.KeyEvent(kb.Tab))
	}
	missed := eval[[]string](b, `window.__focusable.filter(e => !window.__reached.has(e)).map(e => e.outerHTML.slice(0, 80))`)
	require.Empty(b.t, missed, "controls on %s that the Tab key does not reach", name)
}

func (b *tab) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	require.NoError(b.t, err, sel)
	return s
}

// TestBrowserIntakeToSale walks the main path through the pages in real headless Chromium:
// a manager invited by email sets a password and logs in, receives a parcel that lacks an
// item by scanning its code, grades and routes the item, sells it, and sees the queues move.
// Each page passes axe and the keyboard check.
func TestBrowserIntakeToSale(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	tb.beneficiary(t)
	rma := tb.returnTo(t)
	link := tb.invite(t, "SCS", "eve@example.org", sc.StaffManager)
	b := tb.tab(t)

	b.open(link)
	b.waitTitle("Welcome, Pat eve")
	b.check("invitation")
	b.fill("f-password", "short")
	b.fill("f-confirm", "short")
	b.do(chromedp.Click(chromedp.CSS("main form button[type=submit]")))
	b.waitFor(`document.querySelector('#f-password-error') !== null`)
	require.Contains(t, b.text("#f-password-error"), "at least 12 characters")
	b.check("invitation-error")
	b.fill("f-password", "correct horse battery staple")
	b.fill("f-confirm", "correct horse battery staple")
	b.do(chromedp.Click(chromedp.CSS("main form button[type=submit]")))
	b.waitTitle("Log in")
	require.Contains(t, b.text(".flash"), "Your account is open")

	b.fill("f-email", "eve@example.org")
	b.fill("f-password", "not my password")
	b.do(chromedp.SendKeys(byID("f-password"), kb.Enter))
	b.waitFor(`document.querySelector('.errors') !== null`)
	require.Contains(t, b.text(".errors"), "the email or the password is wrong")
	b.check("login-error")
	b.fill("f-password", "correct horse battery staple")
	b.do(chromedp.SendKeys(byID("f-password"), kb.Enter))
	b.waitTitle("Dashboard")
	b.check("dashboard")

	// A barcode scanner types the code and presses Enter.
	b.do(chromedp.Click(chromedp.CSS(`nav a[href="/portal/intake"]`)))
	b.waitTitle("Intake")
	b.check("intake")
	b.do(chromedp.SendKeys(byID("f-code"), rma.Code+kb.Enter))
	b.waitTitle("Receive a parcel")
	b.check("intake-receive")
	// The scarf (line 2) is not in the parcel; the lamp is like new.
	b.do(chromedp.Click(byID("f-items.1.present")))
	b.do(chromedp.SetValue(byID("f-items.0.grade"), "LIKE_NEW"))
	b.fill("f-items.0.notes", "shade slightly scratched")
	b.do(chromedp.Click(chromedp.CSS("main form button[type=submit]")))
	b.waitFor(`document.querySelector('main h1')?.textContent.startsWith('Parcel ')`)
	require.Contains(t, b.text(`.discrepancies li[data-kind="MISSING_ITEM"]`), "nothing answers to line 2")
	b.check("parcel")

	b.do(chromedp.Click(chromedp.CSS(`main table a[href^="/portal/items/"]`)))
	b.waitTitle("Desk lamp")
	b.check("item-received")
	b.do(chromedp.SetValue(byID("f-route"), "SALE"))
	b.do(chromedp.Click(chromedp.CSS(`form[action$="/route"] button`)))
	b.waitFor(`document.querySelector('[data-status]')?.dataset.status === 'LISTED'`)
	b.fill("f-price.amount", "twelve")
	b.do(chromedp.Click(chromedp.CSS(`form[action$="/sale"] button`)))
	b.waitFor(`document.querySelector('#f-price\\.amount-error') !== null`)
	require.Equal(t, "twelve", eval[string](b, `document.getElementById('f-price.amount').value`), "what was typed is kept")
	b.check("item-sale-error")
	b.fill("f-price.amount", "12.50")
	b.do(chromedp.Click(chromedp.CSS(`form[action$="/sale"] button`)))
	b.waitFor(`document.querySelector('[data-status]')?.dataset.status === 'SOLD'`)
	b.check("item-sold")

	b.do(chromedp.Click(chromedp.CSS(`nav a[href="/portal/items"]`)))
	b.waitTitle("Items")
	b.check("items")
	b.do(chromedp.Click(chromedp.CSS(`nav a[href="/portal/"]`)))
	b.waitTitle("Dashboard")
	require.Equal(t, "1", b.text(`[data-queue="Items to settle"]`))
	b.check("dashboard-after-sale")

	// Settle the sale, issue its certificate, download it and void it.
	b.open("/portal/items?status=SOLD")
	b.waitTitle("Items")
	b.check("items-sold")
	b.do(chromedp.Click(chromedp.CSS(`form[action$="/items/settle"] button`)))
	b.waitFor(`document.querySelector('.flash')?.textContent.startsWith('Settled 1 item(s)')`)
	b.do(chromedp.Click(chromedp.CSS(`nav a[href="/portal/certificates"]`)))
	b.waitTitle("Certificates")
	b.do(chromedp.Click(chromedp.CSS(`form[action$="/certificates/issue"] button`)))
	b.waitFor(`document.querySelector('.flash')?.textContent.startsWith('Issued 1 certificate(s)')`)
	b.check("certificates")
	b.do(chromedp.Click(chromedp.CSS(`main table a[href^="/portal/certificates/"]`)))
	b.waitFor(`document.querySelector('main h1')?.textContent.startsWith('Certificate ')`)
	b.check("certificate")
	pdf := eval[string](b, `document.querySelector('a.download').href`)
	res, err := http.Get(pdf)
	require.NoError(t, err)
	head := make([]byte, 5)
	_, err = io.ReadFull(res.Body, head)
	res.Body.Close()
	require.NoError(t, err)
	require.Equal(t, "%PDF-", string(head), "the certificate downloads")
	b.fill("f-reason", "wrong donor")
	b.do(chromedp.Click(chromedp.CSS(`form[action$="/void"] button`)))
	b.waitFor(`document.querySelector('[data-status]')?.dataset.status === 'VOID'`)
	b.check("certificate-void")
	b.do(chromedp.Click(chromedp.CSS(`nav a[href="/portal/staff"]`)))
	b.waitTitle("Staff")
	b.check("staff")

	b.open("/portal/items/999999")
	b.waitTitle("Page not found")
	b.check("not-found")
	b.do(chromedp.Click(chromedp.CSS(`form[action$="/logout"] button`)))
	b.waitTitle("Log in")
	b.check("login")
	b.open(link)
	b.waitTitle("This link does not work")
	b.check("link-used")
	b.open("/portal/password-reset")
	b.waitTitle("Reset your password")
	b.check("password-reset")
}

// TestBrowserFormsRefuseRepeatsAndStaleTokens: a form sent twice at once from the page takes
// effect once, and a form whose token is stale saves nothing and says so.
func TestBrowserFormsRefuseRepeatsAndStaleTokens(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	rma := tb.returnTo(t)
	tb.account(t, "SCS", "fay@example.org", sc.StaffMember)
	b := tb.tab(t)
	b.open("/portal/login")
	b.fill("f-email", "fay@example.org")
	b.fill("f-password", "a good long password")
	b.do(chromedp.SendKeys(byID("f-password"), kb.Enter))
	b.waitTitle("Dashboard")

	b.open("/portal/intake/receive?code=" + rma.Code)
	b.waitTitle("Receive a parcel")
	statuses := eval[[]int](b, `(() => { const f = document.querySelector('form[action$="/intake/receive"]');
		const send = () => fetch(f.action, {method: 'POST', body: new URLSearchParams(new FormData(f))}).then(r => r.status);
		return Promise.all([send(), send()]); })()`)
	require.Len(t, statuses, 2)
	var parcels int
	require.NoError(t, tb.d.Get(&parcels, `SELECT count(*) FROM parcels`))
	require.Equal(t, 1, parcels, "the form sent twice received one parcel (statuses %v)", statuses)

	b.open("/portal/intake/receive?unmatched=1")
	b.waitTitle("Receive a parcel")
	b.fill("f-items.0.description", "A box of books")
	b.do(chromedp.SetAttributeValue(chromedp.CSS(`main input[name=csrf]`), "value", "stale"))
	b.do(chromedp.Click(chromedp.CSS("main form button[type=submit]")))
	b.waitTitle("Nothing was saved")
	require.Equal(t, "STALE_FORM", eval[string](b, `document.querySelector('[data-code]').dataset.code`))
	b.check("stale-form")
	require.NoError(t, tb.d.Get(&parcels, `SELECT count(*) FROM parcels`))
	require.Equal(t, 1, parcels)
}

// byID selects the element of an id, dots included (the inputs are named by field paths).
func byID(id string) chromedp.CSS { return chromedp.CSS(`[id="` + id + `"]`) }
