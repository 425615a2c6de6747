package resolvers

import (
	"context"
	"time"

	"github.com/vikstrous/dataloadgen"

	sc "github.com/secondchance/secondchance"
)

// loaderWait is how long a loader collects keys before it sends one statement for all of them.
// Lists prime their loaders up front (prefetch.go), so what is left to batch here is single
// objects and their edges, where the wait is added to the request's latency: `me { seller }`
// waits this long before its one statement.
const loaderWait = time.Millisecond

// loaders batch the edges of one request: one statement per edge and page, whatever the page
// size. They live for one request only, so they cache nothing across actors.
type loaders struct {
	seller       *dataloadgen.Loader[int64, *sc.Seller]
	buyer        *dataloadgen.Loader[int64, *sc.Buyer]
	order        *dataloadgen.Loader[int64, *sc.Order]
	token        *dataloadgen.Loader[int64, *sc.Token]
	feedback     *dataloadgen.Loader[int64, *sc.Feedback]
	disputes     *dataloadgen.Loader[int64, []*sc.Dispute]
	returnClaims *dataloadgen.Loader[int64, []*sc.ReturnClaim]

	report           *dataloadgen.Loader[int64, *sc.Report]
	reportEvents     *dataloadgen.Loader[int64, []*sc.ReportEvent]
	buyerReportStats *dataloadgen.Loader[int64, *sc.BuyerReportStats]

	batch     *dataloadgen.Loader[int64, *sc.Batch]
	verdict   *dataloadgen.Loader[int64, *sc.Verdict]
	sanctions *dataloadgen.Loader[int64, []*sc.Sanction]

	// indicators has one loader per window: a page of sellers asking for the same window
	// shares one statement.
	indicators map[sc.IndicatorWindow]*dataloadgen.Loader[int64, *sc.Indicators]

	standing        *dataloadgen.Loader[int64, *sc.SellerStanding]
	standingChanges *dataloadgen.Loader[int64, *int]

	rma      *dataloadgen.Loader[int64, *sc.ReturnAuthorization]
	rmaItems *dataloadgen.Loader[int64, []*sc.RMAItem]

	parcel        *dataloadgen.Loader[int64, *sc.Parcel]
	parcelByRMA   *dataloadgen.Loader[int64, *sc.Parcel]
	parcelItems   *dataloadgen.Loader[int64, []*sc.ReturnedItem]
	discrepancies *dataloadgen.Loader[int64, []*sc.Discrepancy]
	candidates    *dataloadgen.Loader[int64, []*sc.ReturnAuthorization]
	saleByItem    *dataloadgen.Loader[int64, *sc.Sale]
	itemTimeline  *dataloadgen.Loader[int64, []*sc.ItemEvent]
	item          *dataloadgen.Loader[int64, *sc.ReturnedItem]
	sale          *dataloadgen.Loader[int64, *sc.Sale]

	beneficiary *dataloadgen.Loader[int64, *sc.Beneficiary]
	allocations *dataloadgen.Loader[int64, []*sc.Allocation]
	ledger      *dataloadgen.Loader[int64, *sc.ItemLedger]

	certificate       *dataloadgen.Loader[int64, *sc.Certificate]
	certificateByItem *dataloadgen.Loader[int64, *sc.Certificate]
	store             *dataloadgen.Loader[int64, *sc.Store]

	auction  *dataloadgen.Loader[int64, *sc.Auction]
	lot      *dataloadgen.Loader[int64, *sc.Lot]
	lotItems *dataloadgen.Loader[int64, []*sc.ReturnedItem]
	bids     *dataloadgen.Loader[int64, []*sc.Bid]
	offers   *dataloadgen.Loader[int64, []*sc.SecondChanceOffer]
	bidder   *dataloadgen.Loader[int64, *sc.Bidder]
	offer    *dataloadgen.Loader[int64, *sc.SecondChanceOffer]
}

type loadersKey struct{}

func newLoaders(s sc.Services) *loaders {
	w := dataloadgen.WithWait(loaderWait)
	indicators := make(map[sc.IndicatorWindow]*dataloadgen.Loader[int64, *sc.Indicators], len(sc.IndicatorWindows))
	for _, win := range sc.IndicatorWindows {
		indicators[win] = dataloadgen.NewLoader(batch(func(ctx context.Context, ids []int64) ([]*sc.Indicators, error) {
			return s.Indicators.SellersIndicators(ctx, ids, win)
		}), w)
	}
	return &loaders{
		indicators:   indicators,
		seller:       dataloadgen.NewLoader(batch(s.Sellers.SellersByID), w),
		buyer:        dataloadgen.NewLoader(batch(s.Buyers.BuyersByID), w),
		order:        dataloadgen.NewLoader(batch(s.Orders.OrdersByID), w),
		token:        dataloadgen.NewLoader(batch(s.Tokens.TokensByID), w),
		feedback:     dataloadgen.NewLoader(batch(s.Orders.FeedbackByOrder), w),
		disputes:     dataloadgen.NewLoader(batch(s.Orders.DisputesByOrder), w),
		returnClaims: dataloadgen.NewLoader(batch(s.Orders.ReturnClaimsByOrder), w),

		report:           dataloadgen.NewLoader(batch(s.Reports.ReportsByID), w),
		reportEvents:     dataloadgen.NewLoader(batch(s.Reports.ReportEventsByReport), w),
		buyerReportStats: dataloadgen.NewLoader(batch(s.Reports.BuyerReportStats), w),

		batch:     dataloadgen.NewLoader(batch(s.Batches.BatchesByID), w),
		verdict:   dataloadgen.NewLoader(batch(s.Batches.VerdictsByID), w),
		sanctions: dataloadgen.NewLoader(batch(s.Batches.SanctionsByBuyer), w),

		standing:        dataloadgen.NewLoader(batch(s.Snapshots.SellerStandings), w),
		standingChanges: dataloadgen.NewLoader(batch(s.Snapshots.StandingChanges), w),

		rma:      dataloadgen.NewLoader(batch(s.Returns.RMAsByID), w),
		rmaItems: dataloadgen.NewLoader(batch(s.Returns.RMAItems), w),

		parcel:        dataloadgen.NewLoader(batch(s.Intake.ParcelsByID), w),
		parcelByRMA:   dataloadgen.NewLoader(batch(s.Intake.ParcelsByRMA), w),
		parcelItems:   dataloadgen.NewLoader(batch(s.Intake.ParcelItems), w),
		discrepancies: dataloadgen.NewLoader(batch(s.Intake.ParcelDiscrepancies), w),
		candidates:    dataloadgen.NewLoader(batch(s.Intake.ParcelCandidates), w),
		itemTimeline:  dataloadgen.NewLoader(batch(s.Sales.ItemTimelines), w),
		saleByItem:    dataloadgen.NewLoader(batch(s.Sales.SalesByItem), w),
		item:          dataloadgen.NewLoader(batch(s.Sales.ItemsByID), w),
		sale:          dataloadgen.NewLoader(batch(s.Sales.SalesByID), w),

		beneficiary: dataloadgen.NewLoader(batch(s.Donations.BeneficiariesByID), w),
		allocations: dataloadgen.NewLoader(batch(s.Donations.AllocationsByItem), w),
		ledger:      dataloadgen.NewLoader(batch(s.Donations.ItemLedgers), w),

		certificate:       dataloadgen.NewLoader(batch(s.Certificates.CertificatesByID), w),
		certificateByItem: dataloadgen.NewLoader(batch(s.Certificates.CertificatesByItem), w),
		store:             dataloadgen.NewLoader(batch(s.Stores.StoresByID), w),

		auction:  dataloadgen.NewLoader(batch(s.Auctions.AuctionsByID), w),
		lot:      dataloadgen.NewLoader(batch(s.Auctions.LotsByID), w),
		lotItems: dataloadgen.NewLoader(batch(s.Auctions.LotItems), w),
		bids:     dataloadgen.NewLoader(batch(s.Auctions.Bids), w),
		offers:   dataloadgen.NewLoader(batch(s.Auctions.Offers), w),
		bidder:   dataloadgen.NewLoader(batch(s.Auctions.BiddersByID), w),
		offer:    dataloadgen.NewLoader(batch(s.Auctions.OffersByID), w),
	}
}

// batch adapts a service's by-ID method, which returns results in the order of the keys, to a
// loader's fetch function.
func batch[V any](fetch func(context.Context, []int64) ([]V, error)) func(context.Context, []int64) ([]V, []error) {
	return func(ctx context.Context, ids []int64) ([]V, []error) {
		vs, err := fetch(ctx, ids)
		if err != nil {
			return nil, []error{err}
		}
		return vs, nil
	}
}

func loadersFrom(ctx context.Context) *loaders { return ctx.Value(loadersKey{}).(*loaders) }

// loadVisible loads one row by ID; a row the actor may not see is NOT_FOUND, never leaked.
func loadVisible[V any](ctx context.Context, l *dataloadgen.Loader[int64, *V], id int64, kind string) (*V, error) {
	v, err := l.Load(ctx, id)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, sc.Errorf(sc.ENOTFOUND, "%s not found", kind)
	}
	return v, nil
}

// loadOptional loads a link that may be absent or out of the actor's sight; either way it is
// null, not an error.
func loadOptional[V any](ctx context.Context, l *dataloadgen.Loader[int64, *V], id *int64) (*V, error) {
	if id == nil {
		return nil, nil
	}
	return l.Load(ctx, *id)
}
