package portal_test

import (
	"image/color"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db/dbtest"
)

// TestBrowserPhotoAtIntakeAndDisbursement, in real headless Chromium: staff receive a parcel,
// attach a photo to an item (a file that is no photo is refused beside the input first), see
// it on the item's and the parcel's pages, sell and settle the item, and record the charity's
// disbursement on the donations page. Each new page passes axe and the keyboard check.
func TestBrowserPhotoAtIntakeAndDisbursement(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	tb.beneficiary(t)
	rma := tb.returnTo(t)
	tb.account(t, "SCS", "gus@example.org", sc.StaffMember)
	dir := t.TempDir()
	photo, notPhoto := filepath.Join(dir, "lamp.png"), filepath.Join(dir, "lamp.jpg")
	require.NoError(t, os.WriteFile(photo, dbtest.Image(t, false, color.RGBA{180, 120, 40, 255}), 0o644))
	require.NoError(t, os.WriteFile(notPhoto, []byte("a text file, named like a photo"), 0o644))

	b := tb.tab(t)
	b.open("/portal/login")
	b.fill("f-email", "gus@example.org")
	b.fill("f-password", "a good long password")
	b.do(chromedp.SendKeys(byID("f-password"), kb.Enter))
	b.waitTitle("Dashboard")

	b.open("/portal/intake/receive?code=" + rma.Code)
	b.waitTitle("Receive a parcel")
	b.do(chromedp.Click(chromedp.CSS("main form button[type=submit]")))
	b.waitFor(`document.querySelector('main h1')?.textContent.startsWith('Parcel ')`)
	b.do(chromedp.Click(chromedp.CSS(`main table a[href^="/portal/items/"]`)))
	b.waitTitle("Desk lamp")

	b.do(chromedp.SetUploadFiles(byID("f-photos"), []string{notPhoto}))
	b.do(chromedp.Click(chromedp.CSS(`form[action$="/photos"] button`)))
	b.waitFor(`document.querySelector('#f-photos-error') !== null`)
	require.Contains(t, b.text("#f-photos-error"), "lamp.jpg is not a JPEG, PNG or WebP image")
	b.check("item-photo-error")

	b.do(chromedp.SetUploadFiles(byID("f-photos"), []string{photo}))
	b.do(chromedp.Click(chromedp.CSS(`form[action$="/photos"] button`)))
	// The photo is shown: served by the portal and allowed by its policy, it decodes.
	b.waitFor(`document.querySelector('.photos img') !== null`)
	require.Equal(t, 16, eval[int](b, `(i => i.decode().then(() => i.naturalWidth))(document.querySelector('.photos img'))`))
	require.Contains(t, b.text(".flash"), "Added 1 photo(s).")
	b.check("item-photos")

	b.do(chromedp.Click(chromedp.CSS(`main a[href^="/portal/parcels/"]`)))
	b.waitFor(`document.querySelector('td.thumbs img') !== null`)
	require.Equal(t, 16, eval[int](b, `(i => i.decode().then(() => i.naturalWidth))(document.querySelector('td.thumbs img'))`))
	b.check("parcel-photos")

	// Sell and settle the lamp, then pay its charity.
	b.do(chromedp.Click(chromedp.CSS(`main table a[href^="/portal/items/"]`)))
	b.waitTitle("Desk lamp")
	b.do(chromedp.SetValue(byID("f-route"), "SALE"))
	b.do(chromedp.Click(chromedp.CSS(`form[action$="/route"] button`)))
	b.waitFor(`document.querySelector('[data-status]')?.dataset.status === 'LISTED'`)
	b.fill("f-price.amount", "10.00")
	b.do(chromedp.Click(chromedp.CSS(`form[action$="/sale"] button`)))
	b.waitFor(`document.querySelector('[data-status]')?.dataset.status === 'SOLD'`)
	b.open("/portal/items?status=SOLD")
	b.waitTitle("Items")
	b.do(chromedp.Click(chromedp.CSS(`form[action$="/items/settle"] button`)))
	b.waitFor(`document.querySelector('.flash')?.textContent.startsWith('Settled 1 item(s)')`)

	b.do(chromedp.Click(chromedp.CSS(`nav a[href="/portal/donations"]`)))
	b.waitTitle("Donations")
	require.Equal(t, "9.00 USD", b.text("[data-total-pending]"), "10.00 less the 1.00 intake fee")
	b.check("donations")
	b.do(chromedp.Click(chromedp.CSS(`form[action$="/disburse"] button`)))
	b.waitFor(`document.querySelector('.flash')?.textContent.startsWith('Recorded a disbursement of 9.00 USD to Food Pantry')`)
	require.Equal(t, "0.00 USD", b.text("[data-total-pending]"))
	require.Equal(t, "9.00 USD", b.text("[data-total-disbursed]"))
	require.Equal(t, 1, eval[int](b, `document.querySelectorAll('tr[data-disbursement]').length`))
	b.check("donations-disbursed")

	b.do(chromedp.Click(chromedp.CSS(`nav a[href="/portal/"]`)))
	b.waitTitle("Dashboard")
	require.Equal(t, "0", b.text(`[data-queue="Donations to disburse"]`))
}
