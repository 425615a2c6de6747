package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"
	"github.com/pressly/goose/v3"

	sc "github.com/secondchance/secondchance"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations is the embedded migrations folder; test helpers hash it to name their templates.
var Migrations fs.FS = migrations

// DB is the store: a connection pool plus the services the rest of the program uses.
type DB struct {
	*sqlx.DB
	statements *atomic.Int64
	dsn        string
	// live is shared by copies of the DB (WithCodes), so a process has one watcher.
	live *liveState
	// preparedStmts holds the statements prepared once and run on every request (see prepared).
	preparedStmts *sync.Map
	// Now is the clock; tests replace it.
	Now func() time.Time
	// ReportingWindow is how long after an order is placed its seller may report its buyer.
	ReportingWindow time.Duration
	// RMAExpiry is how long a buyer has to send a return in.
	RMAExpiry time.Duration
	// Certificates renders and links donation certificates.
	CertificateSetup CertificateSetup
	// Codes makes new RMA codes and verification codes: random ones (Open sets sc.RandomCodes).
	// Only the demo data set is loaded through a DB with fixed ones (see WithCodes).
	Codes sc.Codes
	// AfterSettle, when set, runs in the transaction of every settlement, so the certificate
	// job is queued exactly when the settlement commits (cmd/secondchance wires River to it).
	AfterSettle func(ctx context.Context, tx *sql.Tx) error
	// AfterBatch, when set, runs in the transaction of every weekly batch that commits, so the
	// digests it wrote are queued for sending exactly when they exist, whoever ran the batch.
	AfterBatch func(ctx context.Context, tx *sql.Tx) error
	// AfterAuctionScheduled, when set, runs in the transaction that schedules an auction, so its
	// opening is queued for its start.
	AfterAuctionScheduled func(ctx context.Context, tx *sql.Tx, auction int64, at time.Time) error
	// AfterLotsOpened, when set, runs in the transaction that opens TIMED lots, with their ends,
	// so each lot's closing is queued for its end.
	AfterLotsOpened func(ctx context.Context, tx *sql.Tx, lots []int64, ends []time.Time) error
	// AfterLotWon, when set, runs in the transaction in which a lot is won, so the winner's
	// email is queued.
	AfterLotWon func(ctx context.Context, tx *sql.Tx) error
	// StaffMail sends the staff emails (invitations, password resets). It is called inside the
	// transaction that made the link, which commits only once the mail went out: the link's
	// secret is in the email alone, never queued or stored.
	StaffMail func(ctx context.Context, m sc.StaffMail) error
}

// Open connects to dsn. Every statement sent through the pool is counted (see Statements),
// which is how tests prove that a request costs a fixed number of SQL statements.
func Open(ctx context.Context, dsn string) (*DB, error) {
	pc, err := pq.NewConnector(withBinaryParameters(dsn))
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	n := new(atomic.Int64)
	sqldb := sql.OpenDB(&countingConnector{Connector: pc, n: n})
	sqldb.SetMaxOpenConns(20)
	sqldb.SetMaxIdleConns(20)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	db := &DB{DB: sqlx.NewDb(sqldb, "postgres"), statements: n, Now: time.Now, Codes: sc.RandomCodes{}, dsn: dsn, live: new(liveState), preparedStmts: new(sync.Map),
		ReportingWindow: sc.DefaultReportingDays * 24 * time.Hour, RMAExpiry: sc.DefaultRMAExpiryDays * 24 * time.Hour}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("cannot connect to the database (check DATABASE_URL): %w", err)
	}
	return db, nil
}

// withBinaryParameters turns on lib/pq's binary_parameters unless the DSN sets it: a query
// with parameters then takes one round trip instead of two (parse and describe, then bind and
// execute), and []byte values such as certificate PDFs go as bytes rather than hex text. Every
// []byte this package sends is bytea; JSON goes as strings.
func withBinaryParameters(dsn string) string {
	if strings.Contains(dsn, "binary_parameters") {
		return dsn
	}
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set("binary_parameters", "yes")
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " binary_parameters=yes"
}

// WithCodes returns a DB on the same pool, with the same settings, whose new RMA codes and
// verification codes come from c. The demo data set is loaded through one, so its codes are
// fixed while everything else, the server included, keeps making random ones.
func (db *DB) WithCodes(c sc.Codes) *DB {
	cp := *db
	cp.Codes = c
	return &cp
}

// Statements returns how many SQL statements this pool has sent since it was opened.
func (db *DB) Statements() int64 { return db.statements.Load() }

// selfCounted marks the context of a statement that counts its executions itself, so that
// preparing it on a connection is not counted as one more statement.
type selfCounted struct{}

// prepared returns query prepared once per connection of the pool, and the context to run it
// in, for the statements that requests send over and over (the token's lookup, a seller's
// indicators): their parse and plan are then paid once per connection instead of once per
// request, as pgbench's prepared statements do. Only a statement whose plan does not depend on
// its parameters' values belongs here: the scopes' `($1 OR col = $2)` conditions are planned
// well only with the values (see scope.seller). Behind a pooler in transaction mode, it needs
// one that keeps prepared statements (PgBouncer 1.21 and later, max_prepared_statements).
func (db *DB) prepared(ctx context.Context, query string) (*sqlx.Stmt, context.Context, error) {
	ctx = context.WithValue(ctx, selfCounted{}, true)
	st, ok := db.preparedStmts.Load(query)
	if !ok {
		p, err := db.PreparexContext(ctx, query)
		if err != nil {
			return nil, nil, err
		}
		if st, ok = db.preparedStmts.LoadOrStore(query, p); ok {
			p.Close() // another request prepared it first
		}
	}
	db.statements.Add(1)
	return st.(*sqlx.Stmt), ctx, nil
}

func (db *DB) provider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectPostgres, db.DB.DB, sub)
}

// Migrate applies every pending migration and returns how many it applied.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	p, err := db.provider()
	if err != nil {
		return 0, err
	}
	res, err := p.Up(ctx)
	return len(res), err
}

// PendingMigrations returns how many migrations the database still lacks; the server refuses
// to start while any are pending unless told to migrate.
func (db *DB) PendingMigrations(ctx context.Context) (int, error) {
	p, err := db.provider()
	if err != nil {
		return 0, err
	}
	statuses, err := p.Status(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, s := range statuses {
		if s.State == goose.StatePending {
			n++
		}
	}
	return n, nil
}

// queryer is what helpers take so they run on the pool or inside a transaction alike.
type queryer interface {
	sqlx.ExtContext
	GetContext(ctx context.Context, dest any, query string, args ...any) error
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
}

// inTx runs fn in a transaction that commits when fn returns nil and rolls back otherwise.
func (db *DB) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return mapError(err)
	}
	defer tx.Rollback()
	defer pendingNotices.Delete(tx)
	if err := fn(tx); err != nil {
		return mapError(err)
	}
	if err := tx.Commit(); err != nil {
		return mapError(err)
	}
	db.sendNotices(tx)
	return nil
}

// constraintErrors turns the violations of named constraints into field errors a client can act
// on. Every unique, exclusion, check and foreign-key constraint of the schema is either here or
// in unreachableConstraints (TestEveryConstraintIsMapped holds them to it): a violation of a
// constraint missing from both would show as INTERNAL.
var constraintErrors = map[string]*sc.Error{
	"sellers_number_key":       {Code: sc.ECONFLICT, Field: "number", Message: "a seller with this number already exists"},
	"buyers_number_key":        {Code: sc.ECONFLICT, Field: "number", Message: "a buyer with this number already exists"},
	"orders_number_key":        {Code: sc.ECONFLICT, Field: "number", Message: "an order with this number already exists"},
	"disputes_number_key":      {Code: sc.ECONFLICT, Field: "number", Message: "this dispute number belongs to another order"},
	"return_claims_number_key": {Code: sc.ECONFLICT, Field: "number", Message: "this return claim number belongs to another order"},
	"beneficiaries_ein_key":    {Code: sc.ECONFLICT, Field: "ein", Message: "a beneficiary with this EIN exists"},
	"certificates_annual_key":  {Code: sc.ECONFLICT, Field: "taxYear", Message: "the seller has a valid annual summary of this year"},
	"stores_code_key":          {Code: sc.ECONFLICT, Field: "code", Message: "a store with this code already exists"},
	"staff_accounts_email_key": {Code: sc.ECONFLICT, Field: "email", Message: "an account with this email already exists"},
	// The constraints below back a check the service makes first; they are reached when two
	// requests pass that check at the same time, and answer as the check would have.
	"return_authorizations_live_key":  {Code: sc.ECONFLICT, Field: "orderNumber", Message: "the order already has an open return authorisation"},
	"parcels_rma_key":                 {Code: sc.ECONFLICT, Field: "rmaCode", Message: "a parcel was already received for this return authorisation"},
	"sales_live_key":                  {Code: sc.EITEMSTATE, Field: "item", Message: "the item is already sold"},
	"item_proceeds_pkey":              {Code: sc.EITEMSTATE, Field: "item", Message: "the item is already settled"},
	"reports_live_key":                {Code: sc.ECONFLICT, Field: "orderNumber", Message: "you already have a live report of this reason on the order"},
	"batches_week_key":                {Code: sc.ECONFLICT, Message: "this week's batch has already run"},
	"sanctions_verdict_key":           {Code: sc.ECONFLICT, Message: "the verdict's sanction was already applied"},
	"certificates_replaces_key":       {Code: sc.ECONFLICT, Field: "id", Message: "the certificate was already replaced"},
	"policies_pkey":                   {Code: sc.ECONFLICT, Message: "the policy changed at the same time; send it again"},
	"lots_number_key":                 {Code: sc.ECONFLICT, Field: "number", Message: "the auction has a lot with this number"},
	"lot_items_live_key":              {Code: sc.EITEMSTATE, Field: "items", Message: "an item is in another live lot"},
	"lots_relisted_from_key":          {Code: sc.ELOTSTATE, Field: "lot", Message: "the lot was relisted already"},
	"bids_idempotency_key":            {Code: sc.ECONFLICT, Field: "idempotencyKey", Message: "this key was used for another bid"},
	"second_chance_offers_open_key":   {Code: sc.ELOTSTATE, Field: "lot", Message: "the lot has an open offer"},
	"second_chance_offers_bidder_key": {Code: sc.ECONFLICT, Field: "bidder", Message: "the bidder had an offer for this lot already"},
	"lot_items_pkey":                  {Code: sc.EINVALID, Field: "items", Message: "an item is listed twice"},
	"seller_donation_splits_pkey":     {Code: sc.EINVALID, Field: "splits", Message: "a beneficiary appears twice"},
	// References a client names, should one vanish between the lookup and the write.
	"stores_beneficiary_fkey":                 {Code: sc.ENOTFOUND, Field: "beneficiary", Message: "no such beneficiary"},
	"seller_donation_splits_beneficiary_fkey": {Code: sc.ENOTFOUND, Field: "splits", Message: "no such beneficiary"},
	"return_authorizations_report_fkey":       {Code: sc.ENOTFOUND, Field: "report", Message: "no such report"},
}

// unreachableConstraints are the constraints that no client input can violate, with the reason;
// they guard the store's own bookkeeping, and a violation is a bug that rightly shows as INTERNAL.
var unreachableConstraints = func() map[string]string {
	m := map[string]string{}
	because := func(reason string, names ...string) {
		for _, n := range names {
			m[n] = reason
		}
	}
	because("demo_data holds one row, written only by seed --demo with ON CONFLICT DO NOTHING", "demo_data_one_row", "demo_data_pkey")
	because("auction rows are written under the lot's or auction's row lock by the server, from validated input and the engine's state",
		"increment_tables_pkey", "increment_tables_version_check", "increment_tables_store_fkey", "auctions_store_fkey",
		"auctions_kind_check", "auctions_status_check", "auctions_ends_check", "bidders_store_fkey",
		"paddles_pkey", "paddles_number_check", "paddles_bidder_key", "paddles_auction_fkey", "paddles_bidder_fkey",
		"lots_auction_fkey", "lots_number_check", "lots_estimate_check", "lots_starting_check", "lots_status_check",
		"lots_unsold_reason_check", "lots_leader_fkey", "lots_winner_fkey", "lots_payment_method_check",
		"lots_relisted_from_fkey", "lots_reserve_check", "lots_price_check", "lot_items_lot_fkey", "lot_items_item_fkey",
		"lot_items_estimate_check", "bids_lot_fkey", "bids_bidder_fkey", "bids_kind_check", "bids_cents_check",
		"bids_token_fkey", "bids_seq_key", "lot_events_pkey", "lot_events_lot_fkey", "lot_events_bid_fkey",
		"lot_events_bidder_fkey", "lot_events_leader_fkey", "second_chance_offers_lot_fkey",
		"second_chance_offers_bidder_fkey", "second_chance_offers_status_check", "sales_lot_fkey",
		"stores_auction_payment_days_check", "stores_auction_unpaid_limit_check")
	because("generated by the server from a random secret or code, never sent by a client",
		"tokens_secret_hash_key", "return_authorizations_code_key", "staff_invitations_token_key", "staff_password_resets_token_key")
	because("written only with ON CONFLICT on exactly these columns (sessions: by scs's postgresstore)",
		"staff_login_failures_pkey", "staff_form_submissions_pkey", "sessions_pkey")
	because("the staff service checks them before writing: roles by StaffRole.Valid, scopes are constants",
		"staff_accounts_role_check", "staff_invitations_role_check", "staff_login_failures_scope_check")
	because("references a store or account the staff service read or wrote in the same transaction",
		"staff_accounts_store_fkey", "staff_invitations_store_fkey", "staff_invitations_invited_by_fkey",
		"staff_password_resets_account_fkey")
	because("numbered by the server under a row lock (certificate_serials) in the issuing transaction",
		"certificates_serial_key", "certificate_serials_pkey")
	because("written only with ON CONFLICT on exactly these columns",
		"order_exclusions_live_key", "verdict_pins_open_key", "feedback_pkey", "indicator_snapshots_pkey",
		"report_dismissals_pkey", "seller_day_dirty_pkey", "seller_standings_pkey", "store_routing_rules_pkey",
		"verification_failures_pkey")
	because("rows numbered by the server within one statement (WITH ORDINALITY) or one batch computation",
		"returned_items_parcel_line_key", "return_authorization_items_pkey", "parcel_discrepancies_pkey",
		"certificate_items_pkey", "digests_pkey", "verdicts_batch_buyer_key", "seller_day_stats_pkey",
		"store_item_totals_pkey")
	because("the row is computed by the server: its sums balance by construction (sc.Split, sc.AllocatePercent)",
		"certificates_balance", "item_proceeds_balance", "store_item_totals_balance", "donation_allocations_cents_check",
		"certificates_items_check", "certificates_void_check", "indicator_state_one", "tokens_scope_check",
		"order_exclusions_reason_check", "digests_kind_check", "purged_records_kind_check", "sanctions_kind_check",
		"seller_standings_check", "verdicts_verdict_check", "verdict_pins_verdict_check", "certificates_kind_check",
		"returned_items_status_check", "returned_items_route_check", "return_authorizations_status_check",
		"reports_status_check")
	because("the same rule is checked by the domain's Validate (and the enum's UnmarshalGQL) before any write",
		"buyers_status_check", "disputes_reason_check", "feedback_rating_check", "orders_cancellation_reason_check",
		"orders_total_check", "parcel_discrepancies_kind_check", "reports_description_check", "reports_reason_check",
		"return_authorization_items_declared_check", "return_authorization_items_quantity_check",
		"returned_items_grade_check", "sales_price_check", "seller_donation_splits_percent_check",
		"store_routing_rules_category_check", "store_routing_rules_grade_check", "store_routing_rules_route_check",
		"tokens_role_check")
	because("references a row the server read or wrote earlier in the same transaction; the referenced "+
		"tables are never deleted from",
		"batches_policy_fkey", "certificate_items_certificate_fkey", "certificate_items_item_fkey",
		"certificate_serials_store_fkey", "certificates_replaces_fkey", "certificates_seller_fkey",
		"certificates_settlement_fkey", "certificates_store_fkey", "digests_batch_fkey", "digests_seller_fkey",
		"disputes_order_fkey", "donation_allocations_beneficiary_fkey", "donation_allocations_item_fkey",
		"feedback_order_fkey", "item_proceeds_certificate_fkey", "item_proceeds_item_fkey", "item_proceeds_sale_fkey",
		"item_proceeds_settlement_fkey", "orders_buyer_fkey", "orders_seller_fkey", "parcel_discrepancies_parcel_fkey",
		"parcels_rma_fkey", "parcels_store_fkey", "parcels_token_fkey", "policies_token_fkey",
		"report_dismissals_report_fkey", "report_dismissals_token_fkey", "report_events_report_fkey",
		"reports_buyer_fkey", "reports_order_fkey", "reports_seller_fkey", "return_authorization_items_rma_fkey",
		"return_authorizations_order_fkey", "return_authorizations_seller_fkey", "return_authorizations_store_fkey",
		"return_claims_order_fkey", "returned_items_parcel_fkey", "sales_item_fkey", "sales_token_fkey",
		"sanctions_buyer_fkey", "sanctions_verdict_fkey", "seller_donation_splits_seller_fkey", "settlements_store_fkey",
		"store_item_totals_store_fkey", "store_routing_rules_store_fkey", "tokens_seller_fkey", "tokens_store_fkey",
		"verdict_pins_batch_fkey", "verdict_pins_buyer_fkey", "verdict_pins_token_fkey", "verdicts_batch_fkey",
		"verdicts_buyer_fkey", "verdicts_pinned_by_fkey", "verdicts_policy_fkey", "verdicts_reversed_by_fkey")
	because("a photo is checked by sc.ValidatePhotos and sniffed, hashed and sized by the server, of an item it "+
		"locked and an account it read, in the same transaction; a repeated file is skipped by ON CONFLICT",
		"item_photos_item_fkey", "item_photos_content_type_check", "item_photos_size_check", "item_photos_sha256_check",
		"item_photos_uploaded_by_fkey", "item_photos_data_size_check", "item_photos_item_sha256_key")
	because("a disbursement is written in one statement from the allocations it locked: its store, beneficiary, "+
		"sum and count are theirs, its recorder the request's token or account, and the allocations name it as "+
		"they are marked paid",
		"disbursements_store_fkey", "disbursements_beneficiary_fkey", "disbursements_cents_check", "disbursements_items_check",
		"disbursements_token_fkey", "disbursements_staff_fkey", "donation_allocations_disbursement_fkey",
		"donation_allocations_disbursed_check")
	because("who recorded a row is the request's own token or staff account, read when the request was authenticated; "+
		"neither is ever deleted",
		"sales_staff_fkey", "sales_voided_by_fkey", "sales_voided_by_staff_fkey", "bids_staff_fkey")
	return m
}()

// mapError maps driver errors into *secondchance.Error and passes everything else through.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	var scErr *sc.Error
	var scErrs sc.Errors
	if errors.As(err, &scErr) || errors.As(err, &scErrs) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return sc.Errorf(sc.ENOTFOUND, "not found")
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return sc.Errorf(sc.ETIMEOUT, "the request took too long and was cancelled")
	}
	if pqErr := pq.As(err, pqerror.UniqueViolation, pqerror.ForeignKeyViolation, pqerror.CheckViolation, pqerror.ExclusionViolation); pqErr != nil {
		if e, ok := constraintErrors[pqErr.Constraint]; ok {
			c := *e
			return &c
		}
	}
	if pqErr := pq.As(err, pqerror.CharacterNotInRepertoire, pqerror.UntranslatableCharacter); pqErr != nil {
		// The input rules (sc.CheckString) keep NUL and invalid UTF-8 out; a path that missed
		// them is still the client's error, not the store's.
		return sc.Errorf(sc.EINVALID, "the text contains a character that cannot be stored")
	}
	if pqErr := pq.As(err, pqerror.QueryCanceled); pqErr != nil && strings.Contains(pqErr.Message, "user request") {
		return sc.Errorf(sc.ETIMEOUT, "the request took too long and was cancelled")
	}
	return err
}

// countingConnector wraps lib/pq's connector and counts every statement its connections send.
type countingConnector struct {
	*pq.Connector
	n *atomic.Int64
}

func (c *countingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &countingConn{conn: conn, n: c.n}, nil
}

// countingConn forwards to lib/pq's conn. It implements exactly the interfaces that conn does,
// so database/sql takes the same paths with and without it.
type countingConn struct {
	conn driver.Conn
	n    *atomic.Int64
}

func (c *countingConn) Prepare(q string) (driver.Stmt, error) {
	c.n.Add(1)
	return c.conn.Prepare(q)
}
func (c *countingConn) Close() error { return c.conn.Close() }
func (c *countingConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}
func (c *countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}
func (c *countingConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	if ctx.Value(selfCounted{}) == nil {
		c.n.Add(1)
	}
	return c.conn.(driver.ConnPrepareContext).PrepareContext(ctx, q)
}
func (c *countingConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	c.n.Add(1)
	return c.conn.(driver.QueryerContext).QueryContext(ctx, q, args)
}
func (c *countingConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	c.n.Add(1)
	return c.conn.(driver.ExecerContext).ExecContext(ctx, q, args)
}
func (c *countingConn) Ping(ctx context.Context) error { return c.conn.(driver.Pinger).Ping(ctx) }
func (c *countingConn) ResetSession(ctx context.Context) error {
	return c.conn.(driver.SessionResetter).ResetSession(ctx)
}
func (c *countingConn) IsValid() bool { return c.conn.(driver.Validator).IsValid() }
func (c *countingConn) CheckNamedValue(nv *driver.NamedValue) error {
	return c.conn.(driver.NamedValueChecker).CheckNamedValue(nv)
}

// Services returns the domain services as this database implements them, with links for the
// URLs they hand out.
func (db *DB) Services(links sc.Links) sc.Services {
	return sc.Services{
		Sellers: db, Buyers: db, Orders: db, Marketplace: db, Tokens: db, Stores: db, Reports: db, Batches: db,
		Indicators: db, Snapshots: db, Adjustments: db, Returns: db, Intake: db, Matcher: db, Sales: db,
		Donations: db, Certificates: db, Auctions: db, Staff: db, PriceTags: db, Photos: db, Files: db, Health: db, Links: links,
		Watcher: db.Watcher(),
	}
}

// Watcher is the process's one watcher of lot events on this database, made on first use.
// Closing it ends every subscription.
func (db *DB) Watcher() *LotWatcher {
	db.live.once.Do(func() { db.live.watcher = NewLotWatcher(db, db.dsn, 0) })
	return db.live.watcher
}

type liveState struct {
	once    sync.Once
	watcher *LotWatcher
}
