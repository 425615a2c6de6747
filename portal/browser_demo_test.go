package portal_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/demo"
)

// setupDemo is setup on the demo data set of `make run` (demo.Load) with the showcase on top
// (demo.Showcase), and the demo's portal login.
func setupDemo(t testing.TB) (*testBundle, demo.Shown) {
	t.Helper()
	tb := setup(t)
	ctx := context.Background()
	_, err := demo.Load(ctx, tb.d, time.Time{})
	require.NoError(t, err)
	shown, err := demo.Showcase(ctx, tb.d)
	require.NoError(t, err)
	_, err = tb.d.CreateStaffAccount(sc.NewSystemContext(ctx), demo.Staff, demo.StaffPassword)
	require.NoError(t, err)
	return tb, shown
}

// shot saves the tab's viewport as name.png in the -screenshots folder, when one is given.
// The PNG is encoded again at the best compression: Chromium's is quick rather than small.
func (b *tab) shot(name string) {
	b.t.Helper()
	if *screenshots == "" {
		return
	}
	eval[bool](b, `(() => { document.activeElement?.blur(); window.scrollTo(0, 0); return true; })()`)
	raw, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	require.NoError(b.t, err)
	img, err := png.Decode(bytes.NewReader(raw))
	require.NoError(b.t, err)
	var out bytes.Buffer
	require.NoError(b.t, (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&out, opaque(img)))
	require.Less(b.t, out.Len(), 300<<10, "%s.png is too large for the README", name)
	require.NoError(b.t, os.MkdirAll(*screenshots, 0o755))
	require.NoError(b.t, os.WriteFile(filepath.Join(*screenshots, name+".png"), out.Bytes(), 0o644))
}

// opaque drops the alpha channel of a screenshot (always opaque), which PNG then stores in
// three bytes a pixel instead of four.
func opaque(img image.Image) image.Image {
	r := img.Bounds()
	out := image.NewRGBA(r)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			out.Set(x, y, img.At(x, y))
		}
	}
	return out
}

// TestBrowserDemoPages opens the main pages on the demo data, logged in as the demo's store
// manager, the way a newcomer sees them after `make run`: each passes axe and the keyboard
// check. With -screenshots=../docs/screenshots it saves each at a tablet's 1280×900, the
// screenshots of the README and docs/PORTAL.md:
//
//	go test ./portal -run TestBrowserDemoPages -screenshots=../docs/screenshots
func TestBrowserDemoPages(t *testing.T) {
	t.Parallel()
	tb, shown := setupDemo(t)
	b := tb.tab(t)
	b.do(chromedp.EmulateViewport(1280, 900))
	var paths []string
	page := func(name, path, h1 string) {
		t.Helper()
		b.open(path)
		b.waitFor(fmt.Sprintf(`document.querySelector('main h1')?.textContent.startsWith(%q)`, h1))
		b.shot(name)
		b.check(name)
		paths = append(paths, path)
	}
	// A tablet held upright at the intake bench (768 CSS pixels wide): every page fits its
	// width, with nothing to scroll sideways to.
	defer func() {
		if t.Failed() {
			return
		}
		b.do(chromedp.EmulateViewport(768, 1024))
		for _, path := range paths {
			b.open(path)
			b.waitFor(`document.readyState === 'complete'`)
			overflow := eval[float64](b, `document.documentElement.scrollWidth - document.documentElement.clientWidth`)
			require.LessOrEqual(t, overflow, 0.0, "%s is wider than a tablet held upright", path)
		}
	}()

	b.open("/portal/login")
	b.waitTitle("Log in")
	b.fill("f-email", demo.Staff.Email)
	b.shot("login")
	b.check("login")
	b.fill("f-password", demo.StaffPassword)
	b.do(chromedp.SendKeys(byID("f-password"), kb.Enter))
	b.waitTitle("Dashboard")
	require.Equal(t, "1", b.text(`[data-queue="Unmatched parcels"]`))

	page("dashboard", "/portal/", "Dashboard")
	page("intake", "/portal/intake", "Intake")
	page("intake-receive", "/portal/intake/receive?code="+demo.RMACodes[1], "Receive a parcel")
	page("parcel", fmt.Sprintf("/portal/parcels/%d", shown.Parcel), "Parcel ")
	require.Contains(t, b.text(`.discrepancies li[data-kind="MISSING_ITEM"]`), "line 3")
	page("items", "/portal/items", "Items")
	page("item", fmt.Sprintf("/portal/items/%d", shown.Item), "Cast-iron skillet")
	page("auctions", "/portal/auctions", "Auctions")
	page("auction", fmt.Sprintf("/portal/auctions/%d", shown.LiveAuction), "Winter floor sale")
	require.True(t, eval[bool](b, `document.getElementById('addlot-h') !== null`), "a running LIVE sale takes lots")
	page("auction-timed", fmt.Sprintf("/portal/auctions/%d", shown.TimedAuction), "Online spring sale")

	b.open(fmt.Sprintf("/portal/auctions/%d/clerk", shown.LiveAuction))
	b.waitFor(`document.getElementById('clerk')?.dataset.live === 'yes' && document.querySelectorAll('#bid-rows tr').length === 5`)
	require.Equal(t, "paddle 102 at 95.00 USD", b.text("#leader"))
	b.shot("clerk")
	b.check("clerk")

	page("lot-paid", fmt.Sprintf("/portal/lots/%d", shown.PaidLot), "Lot 1: Brass desk lamp")
	require.Equal(t, "PAID", eval[string](b, `document.querySelector('[data-status]').dataset.status`))
	require.Contains(t, b.text("[data-paid]"), "by card")
	page("bidders", "/portal/bidders", "Bidders")
	page("certificates", "/portal/certificates", "Certificates")
	page("certificate", eval[string](b, `document.querySelector('main table a[href^="/portal/certificates/"]').getAttribute('href')`), "Certificate ")
	page("donations", "/portal/donations", "Donations")
	page("staff", "/portal/staff", "Staff")
	page("settings", "/portal/settings", "Fees and beneficiaries")
	page("settings-routing", "/portal/settings/routing", "Routing rules")
	page("settings-increments", "/portal/settings/increments", "Bid increments")
}
