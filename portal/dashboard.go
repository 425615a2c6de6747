package portal

import (
	"context"
	"fmt"
	"net/http"
	"time"

	sc "github.com/secondchance/secondchance"
)

// queue is one count on the dashboard, with the page that works it.
type queue struct {
	Label string
	Count int
	Link  string
}

type dashboardData struct {
	Queues  []queue
	Pending sc.Money
	Chart   chart
	Weeks   []weekTotals
}

// weekTotals are a store's totals of one week, for the chart and its table.
type weekTotals struct {
	From  time.Time
	Items int
	Gross sc.Money
	Net   sc.Money
}

// chartWeeks is how many weeks the dashboard's chart shows.
const chartWeeks = 12

func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	acc := account(ctx)
	var d dashboardData
	count := func(label, link string, n func(context.Context) (int, error)) error {
		c, err := n(ctx)
		if err != nil {
			return err
		}
		d.Queues = append(d.Queues, queue{Label: label, Count: c, Link: link})
		return nil
	}
	zero := 0
	parcels, err := h.services.Intake.ListParcels(ctx, true, sc.PageArgs{First: &zero})
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	if err := count("Unmatched parcels", Prefix+"/intake", parcels.Count); err != nil {
		h.serviceError(w, r, err)
		return
	}
	for _, q := range []struct {
		label  string
		status sc.ItemStatus
	}{{"Items to route", sc.ItemReceived}, {"Items to sell", sc.ItemListed}, {"Items to settle", sc.ItemSold}} {
		status := q.status
		items, err := h.services.Sales.ListItems(ctx, &status, sc.PageArgs{First: &zero})
		if err == nil {
			err = count(q.label, Prefix+"/items?status="+string(status), items.Count)
		}
		if err != nil {
			h.serviceError(w, r, err)
			return
		}
	}
	today := h.now().UTC().Truncate(24 * time.Hour)
	tomorrow := today.Add(24 * time.Hour)
	aq, err := h.services.Auctions.AuctionQueues(ctx, today, tomorrow)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	d.Queues = append(d.Queues, queue{Label: "Lots closing today", Count: aq.ClosingLots, Link: Prefix + "/auctions"},
		queue{Label: "Lots awaiting payment", Count: aq.AwaitingPayment, Link: Prefix + "/auctions"},
		queue{Label: "Unpaid lots", Count: aq.Unpaid, Link: Prefix + "/auctions"})
	balances, err := h.services.Donations.BeneficiaryBalances(ctx, acc.StoreID)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	toPay := 0
	for _, b := range balances {
		if b.Pending.Cents > 0 {
			toPay++
		}
	}
	d.Queues = append(d.Queues, queue{Label: "Donations to disburse", Count: toPay, Link: Prefix + "/donations"})
	all, err := h.services.Donations.StoreTotals(ctx, acc.StoreID, sc.MinTime, tomorrow)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	d.Pending = all.Pending
	// Weeks end today: the last bar is the seven days up to and including today.
	weeks, err := h.services.Donations.StoreTotalsByWeek(ctx, acc.StoreID, tomorrow.Add(-chartWeeks*7*24*time.Hour), tomorrow)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	for _, t := range weeks {
		d.Weeks = append(d.Weeks, weekTotals{From: t.From, Items: t.Items, Gross: t.Gross, Net: sc.USD(t.Donated.Cents + t.Pending.Cents)})
	}
	d.Chart = weeklyChart(d.Weeks)
	h.render(w, r, http.StatusOK, "dashboard", &page{Title: "Dashboard", Nav: "dashboard", Data: d})
}

// chart is a bar chart drawn on the server as SVG: per week, the gross sales and, inside it,
// what they leave for charity.
type chart struct {
	Width, Height int
	Bars          []bar
	Max           string
	Summary       string
}

type bar struct {
	X, W           int
	GrossY, GrossH int
	NetX, NetW     int
	NetY, NetH     int
	Label, LabelX  string
	Gross, Net     string
	LabelY, BaseY  int
}

func weeklyChart(weeks []weekTotals) chart {
	const w, h, top, base, left = 640, 220, 10, 190, 8
	c := chart{Width: w, Height: h}
	var peak int64 = 1
	var total int64
	for _, wk := range weeks {
		peak = max(peak, wk.Gross.Cents)
		total += wk.Gross.Cents
	}
	slot := (w - 2*left) / max(len(weeks), 1)
	scale := func(cents int64) int { return int(cents * (base - top) / peak) }
	for i, wk := range weeks {
		gh, nh := scale(wk.Gross.Cents), scale(max(wk.Net.Cents, 0))
		x := left + i*slot
		// The net bar stands inside the gross one, half as wide, so both show.
		c.Bars = append(c.Bars, bar{X: x + slot/8, W: slot * 3 / 4, GrossY: base - gh, GrossH: gh,
			NetX: x + slot*5/16, NetW: slot * 3 / 8, NetY: base - nh, NetH: nh,
			Label: wk.From.Format("2 Jan"), LabelX: fmt.Sprint(x + slot/2), LabelY: base + 18, BaseY: base,
			Gross: wk.Gross.Amount(), Net: wk.Net.Amount()})
	}
	c.Max = sc.USD(peak).Amount()
	c.Summary = fmt.Sprintf("Gross sales over the last %d weeks: %s %s in all.", len(weeks), sc.USD(total).Amount(), sc.DefaultCurrency)
	return c
}
