package secondchance

import "context"

// Services are the domain services every edge calls: the GraphQL resolvers, the HTTP routes
// and the portal take the same value, so they can never disagree. The storage layer implements
// all of them; a test may swap one.
type Services struct {
	Sellers      SellerService
	Buyers       BuyerService
	Orders       OrderService
	Marketplace  MarketplaceService
	Tokens       TokenService
	Stores       StoreService
	Reports      ReportService
	Batches      BatchService
	Indicators   IndicatorService
	Snapshots    SnapshotService
	Adjustments  AdjustmentService
	Returns      ReturnService
	Intake       IntakeService
	Matcher      ParcelMatcher
	Sales        SalesService
	Donations    DonationService
	Certificates CertificateService
	Auctions     AuctionService
	Staff        StaffService
	PriceTags    PriceTagService
	Photos       PhotoService
	// Watcher streams lot events to live screens; nil where nothing watches (the CLI).
	Watcher LotWatcher
	Files   FileService
	Health  HealthService
	// Links makes the URLs handed out (signed PDF links, verification pages).
	Links Links
}

// FileService reads the documents behind signed download links. It checks no actor: whoever
// holds a valid signed link may read the document it names.
type FileService interface {
	// CertificatePDF returns a certificate's PDF by serial, as a holder of its link gets it.
	CertificatePDF(ctx context.Context, serial string) ([]byte, error)
	// ReturnLabelPDF renders an RMA's label and packing slip by the RMA's code.
	ReturnLabelPDF(ctx context.Context, code string) ([]byte, error)
	// LotReceiptPDF renders a paid lot's buyer's receipt by the lot's ID.
	LotReceiptPDF(ctx context.Context, lot string) ([]byte, error)
}

// HealthService says whether the service can do its work (readiness).
type HealthService interface {
	PingContext(ctx context.Context) error
}
