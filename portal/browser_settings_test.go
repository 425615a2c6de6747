package portal_test

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
)

// TestBrowserManagerSettings: a store manager changes the fee schedule and the bid increments
// through the settings pages in real headless Chromium, from the keyboard, after a refused
// value; every settings page, also with its error, passes axe and the keyboard check.
func TestBrowserManagerSettings(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	tb.beneficiary(t)
	tb.account(t, "SCS", "margo@example.org", sc.StaffManager)
	b := tb.tab(t)
	b.open("/portal/login")
	b.fill("f-email", "margo@example.org")
	b.fill("f-password", "a good long password")
	b.do(chromedp.SendKeys(byID("f-password"), kb.Enter))
	b.waitTitle("Dashboard")

	b.do(chromedp.Click(chromedp.CSS(`nav[aria-label=Main] a[href="/portal/settings"]`)))
	b.waitTitle("Fees and beneficiaries")
	b.check("settings-fees")

	b.fill("f-fees.commissionBasisPoints", "101")
	b.do(chromedp.SendKeys(byID("f-fees.commissionBasisPoints"), kb.Enter))
	b.waitFor(`!!document.getElementById('f-fees.commissionBasisPoints-error')`)
	require.Equal(t, "101", eval[string](b, `document.getElementById('f-fees.commissionBasisPoints').value`), "what was typed is kept")
	b.check("settings-fees-error")
	require.Equal(t, int64(0), tb.donations(t).Fees.CommissionBasisPoints)

	b.fill("f-fees.commissionBasisPoints", "12.5")
	b.fill("f-fees.auctionCommissionBasisPoints", "15")
	b.fill("f-fees.intakeCents", "2")
	b.do(chromedp.SendKeys(byID("f-fees.intakeCents"), kb.Enter))
	b.waitFor(`document.querySelector('.flash')?.textContent.startsWith('Saved')`)
	require.Equal(t, sc.FeeSchedule{IntakeCents: 200, CommissionBasisPoints: 1250, AuctionCommissionBasisPoints: 1500}, tb.donations(t).Fees)
	require.Equal(t, "2.00", eval[string](b, `document.getElementById('f-fees.intakeCents').value`))

	b.do(chromedp.Click(chromedp.CSS(`nav[aria-label=Settings] a[href="/portal/settings/routing"]`)))
	b.waitTitle("Routing rules")
	b.check("settings-routing")

	b.do(chromedp.Click(chromedp.CSS(`nav[aria-label=Settings] a[href="/portal/settings/increments"]`)))
	b.waitTitle("Bid increments")
	b.check("settings-increments")
	// The default's first step is 0.05 from 0; the second 0.25 from 1.00. A first increment
	// above the second is refused beside it; 0.10 is taken.
	b.fill("f-steps.0.incrementCents", "0.50")
	b.do(chromedp.SendKeys(byID("f-steps.0.incrementCents"), kb.Enter))
	b.waitFor(`!!document.getElementById('f-steps.1.incrementCents-error')`)
	b.check("settings-increments-error")
	_, v := tb.increments(t)
	require.Zero(t, v)

	b.fill("f-steps.0.incrementCents", "0.10")
	b.do(chromedp.SendKeys(byID("f-steps.0.incrementCents"), kb.Enter))
	b.waitFor(`document.querySelector('.flash')?.textContent.startsWith('Version 1 ')`)
	steps, v := tb.increments(t)
	require.Equal(t, 1, v)
	want := sc.DefaultIncrementTable()
	want[0].IncrementCents = 10
	require.Equal(t, want, steps)
}
