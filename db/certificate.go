package db

import (
	"context"
	"crypto/subtle"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	sc "github.com/secondchance/secondchance"
)

// CertificateSetup is what issuing certificates needs besides the database.
type CertificateSetup struct {
	Renderer sc.DocumentRenderer
	// PublicURL starts the verification link printed on certificates:
	// PublicURL/verify/<serial>?code=….
	PublicURL string
}

// VerifyURL is the public verification link of a certificate.
func (s CertificateSetup) VerifyURL(serial, code string) string {
	return sc.VerifyURL(s.PublicURL, serial, code)
}

// certificateColumns are read FROM certificates c `+certificateJoins+`: the certificate that
// replaced it and its seller's name are joined, not looked up per row by a subquery, which on
// small tables was planned as a scan of each per row (8 ms for a page of 100).
const certificateColumns = `c.id, c.serial, c.kind, c.store_id, c.seller_id, c.settlement_id, c.tax_year, c.currency,
	c.gross_cents, c.costs_cents, c.net_cents, c.items, c.verification_code, c.issued_at, c.replaces_id,
	rb.id AS replaced_by_id, c.void_reason, c.voided_at, octet_length(c.pdf) AS pdf_bytes, c.emailed_at,
	coalesce(nullif(ds.legal_name, ''), ds.name) AS donor_name`

// certificateJoins joins what certificateColumns read besides the certificate c.
const certificateJoins = `LEFT JOIN certificates rb ON rb.replaces_id = c.id LEFT JOIN sellers ds ON ds.id = c.seller_id`

// donorName is the name certificates print for a seller s: its legal name, else its name.
const donorName = `coalesce(nullif(s.legal_name, ''), s.name)`

// certificateGroup is one certificate to issue: its kind, whose and which items.
type certificateGroup struct {
	Kind         sc.CertificateKind `db:"kind"`
	SellerID     int64              `db:"seller_id"`
	StoreID      int64              `db:"store_id"`
	SettlementID *int64             `db:"settlement_id"`
	TaxYear      int                `db:"tax_year"`
	Currency     string             `db:"currency"`
	ItemIDs      pq.Int64Array      `db:"item_ids"`
	// Set when a group is reissued in place of a voided certificate.
	Replaces *sc.Certificate `db:"-"`
}

// IssueCertificates implements the certificate run (the River job and `secondchance
// certificates issue`): it finds what req asks for, renders the certificates in parallel and
// stores them in batches, each whole with its items. A run cut off leaves whole certificates
// only (and unused serials); running it again issues the rest. progress, if not nil, hears of
// each batch stored.
func (db *DB) IssueCertificates(ctx context.Context, req sc.IssueRequest, progress func(done, total int)) (*sc.IssueResult, error) {
	a, err := sc.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	switch {
	case a.Role == sc.RoleStaff:
		req.Store = &a.StoreID
	case !a.IsAdmin():
		return nil, sc.Errorf(sc.EFORBIDDEN, "only staff and admins issue certificates")
	}
	if req.From.IsZero() {
		req.From = time.Unix(0, 0)
	}
	now := db.Now()
	if req.To.IsZero() {
		req.To = now.Add(time.Second)
	}
	if req.Kind == sc.CertificateAnnual && req.TaxYear == 0 {
		req.TaxYear = sc.LastTaxYear(now)
	}
	if err := req.Validate(now); err != nil {
		return nil, err
	}
	if req.Kind == sc.CertificateAnnual {
		req.Settlement = nil
		req.From = time.Date(req.TaxYear, 1, 1, 0, 0, 0, 0, time.UTC)
		req.To = req.From.AddDate(1, 0, 0)
	}
	if db.CertificateSetup.Renderer == nil {
		return nil, fmt.Errorf("certificates: no renderer configured")
	}
	groups, err := db.certificateGroups(ctx, req)
	if err != nil {
		return nil, mapError(err)
	}
	res := &sc.IssueResult{}
	if req.Kind == sc.CertificateAnnual {
		res.TaxYear = req.TaxYear
	}
	if len(groups) == 0 {
		var settled int
		if err := db.GetContext(ctx, &settled, `SELECT count(*) FROM item_proceeds ip JOIN returned_items i ON i.id = ip.item_id
			JOIN parcels p ON p.id = i.parcel_id WHERE p.rma_id IS NOT NULL AND ($1::bigint IS NULL OR p.store_id = $1)
			AND ($2::bigint IS NULL OR ip.settlement_id = $2) AND ($2::bigint IS NOT NULL OR (ip.settled_at >= $3 AND ip.settled_at < $4))`,
			req.Store, req.Settlement, req.From, req.To); err != nil {
			return nil, mapError(err)
		}
		if settled == 0 {
			field := "from"
			if req.Kind == sc.CertificateAnnual {
				field = "taxYear"
			}
			return nil, sc.FieldErrorf(field, sc.ENOTHINGSETTLED, "no item of a seller was settled %s; there is nothing to certify", describePeriod(req))
		}
		return res, nil // every item already has its certificate
	}
	docs, err := db.certificateDocuments(ctx, db, groups)
	if err != nil {
		return nil, err
	}
	if err := db.allocateSerials(ctx, db, docs); err != nil {
		return nil, err
	}

	// Render on every core; store as they are ready. The first failure stops the feeding.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type out struct {
		i   int
		pdf []byte
		err error
	}
	workers := runtime.GOMAXPROCS(0)
	jobs, results := make(chan int), make(chan out, 2*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				pdf, err := db.CertificateSetup.Renderer.Certificate(docs[i].doc)
				results <- out{i, pdf, err}
			}
		})
	}
	go func() {
		defer close(jobs)
		for i := range docs {
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()
	// Rendered certificates are stored in batches, one transaction each, while the workers
	// render on: a commit per certificate would wait for a WAL flush every time.
	var firstErr error
	var batch []*storedCertificate
	done := 0
	flush := func() {
		if len(batch) == 0 {
			return
		}
		if err := db.storeCertificates(ctx, batch); err != nil {
			firstErr = err
			cancel()
		}
		for _, b := range batch {
			if firstErr != nil {
				break
			}
			if b.stored {
				res.Serials = append(res.Serials, b.doc.Serial)
				res.Items += len(b.group.ItemIDs)
			} else {
				res.Raced++
			}
			done++
		}
		batch = batch[:0]
		if progress != nil && firstErr == nil {
			progress(done, len(docs))
		}
	}
	for r := range results {
		if firstErr != nil {
			continue // drain
		}
		if r.err != nil {
			firstErr = fmt.Errorf("rendering %s: %w", docs[r.i].doc.Serial, r.err)
			cancel()
			continue
		}
		batch = append(batch, &storedCertificate{pendingCertificate: docs[r.i], pdf: r.pdf})
		if len(batch) >= storeBatch || len(results) == 0 {
			flush()
		}
	}
	if firstErr == nil {
		flush()
	}
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	slices.Sort(res.Serials)
	return res, mapError(firstErr)
}

func describePeriod(req sc.IssueRequest) string {
	switch {
	case req.Kind == sc.CertificateAnnual:
		return fmt.Sprintf("in tax year %d", req.TaxYear)
	case req.Settlement != nil:
		return fmt.Sprintf("in settlement %d", *req.Settlement)
	}
	return fmt.Sprintf("from %s to %s", req.From.UTC().Format(time.RFC3339), req.To.UTC().Format(time.RFC3339))
}

// certificateGroups finds the certificates a request issues, in a stable order.
func (db *DB) certificateGroups(ctx context.Context, req sc.IssueRequest) ([]*certificateGroup, error) {
	var groups []*certificateGroup
	if req.Kind == sc.CertificateAnnual {
		err := db.SelectContext(ctx, &groups, `SELECT 'ANNUAL' AS kind, r.seller_id, p.store_id, NULL::bigint AS settlement_id,
				$1::int AS tax_year, ip.currency, array_agg(ip.item_id ORDER BY ip.item_id) AS item_ids
			FROM item_proceeds ip JOIN returned_items i ON i.id = ip.item_id JOIN parcels p ON p.id = i.parcel_id
			JOIN return_authorizations r ON r.id = p.rma_id
			WHERE ip.settled_at >= $2 AND ip.settled_at < $3 AND ($4::bigint IS NULL OR p.store_id = $4)
			AND NOT EXISTS (SELECT 1 FROM certificates c WHERE c.kind = 'ANNUAL' AND c.voided_at IS NULL AND c.seller_id = r.seller_id
				AND c.store_id = p.store_id AND c.tax_year = $1 AND c.currency = ip.currency)
			GROUP BY r.seller_id, p.store_id, ip.currency ORDER BY r.seller_id, p.store_id, ip.currency`,
			req.TaxYear, req.From, req.To, req.Store)
		return groups, err
	}
	err := db.SelectContext(ctx, &groups, `SELECT 'SETTLEMENT' AS kind, r.seller_id, p.store_id, ip.settlement_id,
			extract(year FROM min(ip.settled_at) AT TIME ZONE 'UTC')::int AS tax_year, ip.currency,
			array_agg(ip.item_id ORDER BY ip.item_id) AS item_ids
		FROM item_proceeds ip JOIN returned_items i ON i.id = ip.item_id JOIN parcels p ON p.id = i.parcel_id
		JOIN return_authorizations r ON r.id = p.rma_id
		WHERE ip.certificate_id IS NULL AND ($1::bigint IS NULL OR p.store_id = $1)
		AND ($2::bigint IS NULL OR ip.settlement_id = $2) AND ($2::bigint IS NOT NULL OR (ip.settled_at >= $3 AND ip.settled_at < $4))
		GROUP BY r.seller_id, p.store_id, ip.settlement_id, ip.currency
		ORDER BY min(ip.settled_at), r.seller_id, ip.settlement_id, ip.currency`,
		req.Store, req.Settlement, req.From, req.To)
	return groups, err
}

// pendingCertificate is a group with its document, before it is stored.
type pendingCertificate struct {
	group *certificateGroup
	doc   *sc.CertificateDocument
	store string // the store's code, which starts the serial
}

// certificateDocuments reads everything the groups' documents print, in five statements
// whatever their number.
func (db *DB) certificateDocuments(ctx context.Context, q queryer, groups []*certificateGroup) ([]*pendingCertificate, error) {
	var itemIDs, sellerIDs, storeIDs []int64
	for _, g := range groups {
		itemIDs = append(itemIDs, g.ItemIDs...)
		sellerIDs = append(sellerIDs, g.SellerID)
		storeIDs = append(storeIDs, g.StoreID)
	}
	var items []struct {
		ID          int64     `db:"id"`
		Description string    `db:"description"`
		RMACode     string    `db:"rma_code"`
		OrderNumber string    `db:"order_number"`
		Received    time.Time `db:"received_at"`
		Sold        time.Time `db:"sold_at"`
		Gross       int64     `db:"gross_cents"`
		Net         int64     `db:"net_cents"`
		Currency    string    `db:"currency"`
	}
	// An item sold at auction says where: "sold at auction: <auction title>, lot <n>".
	if err := q.SelectContext(ctx, &items, `SELECT i.id,
			i.description || coalesce(' (sold at auction: ' || a.title || ', lot ' || l.number || ')', '') AS description,
			r.code AS rma_code, o.number AS order_number, p.received_at, s.sold_at, ip.gross_cents, ip.net_cents, ip.currency
		FROM item_proceeds ip JOIN returned_items i ON i.id = ip.item_id JOIN parcels p ON p.id = i.parcel_id
		JOIN return_authorizations r ON r.id = p.rma_id JOIN orders o ON o.id = r.order_id JOIN sales s ON s.id = ip.sale_id
		LEFT JOIN lots l ON l.id = s.lot_id LEFT JOIN auctions a ON a.id = l.auction_id
		WHERE ip.item_id = ANY($1)`, pq.Array(itemIDs)); err != nil {
		return nil, mapError(err)
	}
	var shares []struct {
		ItemID      int64 `db:"item_id"`
		Beneficiary int64 `db:"beneficiary_id"`
		Cents       int64 `db:"cents"`
	}
	if err := q.SelectContext(ctx, &shares, `SELECT item_id, beneficiary_id, cents FROM donation_allocations WHERE item_id = ANY($1) ORDER BY id`,
		pq.Array(itemIDs)); err != nil {
		return nil, mapError(err)
	}
	var sellers []struct {
		ID      int64  `db:"id"`
		Name    string `db:"donor_name"`
		Line1   string `db:"address_line1"`
		Line2   string `db:"address_line2"`
		City    string `db:"city"`
		Region  string `db:"region"`
		Postal  string `db:"postal_code"`
		Country string `db:"country"`
	}
	if err := q.SelectContext(ctx, &sellers, `SELECT id, `+donorName+` AS donor_name, address_line1, address_line2, city, region, postal_code, country
		FROM sellers s WHERE id = ANY($1)`, pq.Array(sellerIDs)); err != nil {
		return nil, mapError(err)
	}
	var stores []sc.Store
	if err := q.SelectContext(ctx, &stores, `SELECT `+storeColumns+` FROM stores WHERE id = ANY($1)`, pq.Array(storeIDs)); err != nil {
		return nil, mapError(err)
	}
	var benIDs []int64
	for _, s := range shares {
		benIDs = append(benIDs, s.Beneficiary)
	}
	bens, err := db.beneficiaries(ctx, q, benIDs)
	if err != nil {
		return nil, err
	}

	itemByID := map[int64]int{}
	for i, it := range items {
		itemByID[it.ID] = i
	}
	sharesOf := map[int64][]int{}
	for i, s := range shares {
		sharesOf[s.ItemID] = append(sharesOf[s.ItemID], i)
	}
	sellerByID := map[int64]int{}
	for i, s := range sellers {
		sellerByID[s.ID] = i
	}
	storeByID := map[int64]int{}
	for i, s := range stores {
		storeByID[s.ID] = i
	}
	now := db.Now().UTC()
	out := make([]*pendingCertificate, 0, len(groups))
	for _, g := range groups {
		s, st := sellers[sellerByID[g.SellerID]], stores[storeByID[g.StoreID]]
		if st.EIN == "" {
			return nil, sc.FieldErrorf("store", sc.EINVALID, "store %s has no EIN to print on its certificates; an admin sets it with setStoreDonations", st.Code)
		}
		d := &sc.CertificateDocument{
			Kind: g.Kind, TaxYear: g.TaxYear, IssuedAt: now, VerificationCode: db.Codes.VerificationCode(),
			Donor: sc.Party{Name: s.Name, Address: sc.PostalAddress{Line1: s.Line1, Line2: s.Line2, City: s.City,
				Region: s.Region, PostalCode: s.Postal, Country: s.Country}},
			Store: sc.Party{Name: st.Name, EIN: st.EIN, Address: st.ReturnAddress()},
		}
		if g.Replaces != nil {
			d.Replaces = g.Replaces.Serial
		}
		money := func(c int64) sc.Money { return sc.Money{Cents: c, Currency: g.Currency} }
		var gross, net int64
		amounts := map[int64]int64{}
		var order []int64
		for _, id := range g.ItemIDs {
			i, ok := itemByID[id]
			if !ok {
				return nil, fmt.Errorf("certificate: item %d has no sale or RMA", id)
			}
			it := items[i]
			d.Items = append(d.Items, sc.CertificateItem{Description: it.Description, RMACode: it.RMACode, OrderNumber: it.OrderNumber,
				Received: it.Received, Sold: it.Sold, Gross: money(it.Gross), Costs: money(it.Gross - it.Net), Net: money(it.Net)})
			gross, net = gross+it.Gross, net+it.Net
			for _, si := range sharesOf[id] {
				b := shares[si].Beneficiary
				if _, seen := amounts[b]; !seen {
					order = append(order, b)
				}
				amounts[b] += shares[si].Cents
			}
		}
		for _, b := range order {
			ben := bens[b]
			d.Beneficiaries = append(d.Beneficiaries, sc.CertificateBeneficiary{
				Party: sc.Party{Name: ben.Name, EIN: ben.EIN, Address: ben.Address()}, Amount: money(amounts[b])})
		}
		d.Gross, d.Costs, d.Net = money(gross), money(gross-net), money(net)
		out = append(out, &pendingCertificate{group: g, doc: d, store: st.Code})
	}
	return out, nil
}

func (db *DB) beneficiaries(ctx context.Context, q queryer, ids []int64) (map[int64]*sc.Beneficiary, error) {
	var rows []*sc.Beneficiary
	if err := q.SelectContext(ctx, &rows, `SELECT `+beneficiaryColumns+` FROM beneficiaries b WHERE b.id = ANY($1)`, pq.Array(ids)); err != nil {
		return nil, mapError(err)
	}
	m := make(map[int64]*sc.Beneficiary, len(rows))
	for _, b := range rows {
		m[b.ID] = b
	}
	return m, nil
}

// allocateSerials numbers the documents, one statement per store and year. A number is used
// once: a run that fails after this leaves a gap, never a repeat.
func (db *DB) allocateSerials(ctx context.Context, q queryer, docs []*pendingCertificate) error {
	type key struct {
		store int64
		year  int
	}
	counts := map[key][]*pendingCertificate{}
	var keys []key
	for _, d := range docs {
		k := key{d.group.StoreID, d.doc.IssuedAt.Year()}
		if _, ok := counts[k]; !ok {
			keys = append(keys, k)
		}
		counts[k] = append(counts[k], d)
	}
	for _, k := range keys {
		ds := counts[k]
		var last int64
		if err := q.GetContext(ctx, &last, `INSERT INTO certificate_serials (store_id, year, last_number) VALUES ($1, $2, $3)
			ON CONFLICT (store_id, year) DO UPDATE SET last_number = certificate_serials.last_number + EXCLUDED.last_number
			RETURNING last_number`, k.store, k.year, len(ds)); err != nil {
			return mapError(err)
		}
		for i, d := range ds {
			d.doc.Serial = sc.SerialNumber(d.store, k.year, last-int64(len(ds))+int64(i)+1)
			d.doc.VerifyURL = db.CertificateSetup.VerifyURL(d.doc.Serial, d.doc.VerificationCode)
		}
	}
	return nil
}

// storeBatch is how many certificates one transaction stores at most.
const storeBatch = 25

// storedCertificate is a rendered certificate and whether it was stored.
type storedCertificate struct {
	*pendingCertificate
	pdf    []byte
	stored bool
}

// storeCertificates stores rendered certificates with their items in one transaction. One
// whose items another run certified first, or whose annual summary exists, is skipped (its
// serial stays unused) and the rest are stored.
func (db *DB) storeCertificates(ctx context.Context, batch []*storedCertificate) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		for _, b := range batch {
			if _, err := tx.ExecContext(ctx, `SAVEPOINT certificate`); err != nil {
				return err
			}
			_, claimed, err := insertCertificate(ctx, tx, b.pendingCertificate, b.pdf)
			b.stored = err == nil && (b.group.Kind != sc.CertificateSettlement || claimed == len(b.group.ItemIDs))
			if err != nil && sc.ErrorCode(mapError(err)) != sc.ECONFLICT {
				return err
			}
			end := `RELEASE SAVEPOINT certificate`
			if !b.stored {
				end = `ROLLBACK TO SAVEPOINT certificate`
			}
			if _, err := tx.ExecContext(ctx, end); err != nil {
				return err
			}
		}
		return nil
	})
}

// insertCertificate stores a certificate and its items in one statement and, for a
// settlement certificate, claims its items; it returns the ID and how many items it claimed.
func insertCertificate(ctx context.Context, tx *sqlx.Tx, pc *pendingCertificate, pdf []byte) (id int64, claimed int, err error) {
	d, g := pc.doc, pc.group
	var replaces *int64
	if g.Replaces != nil {
		replaces = &g.Replaces.ID
	}
	// A replacement takes its items over from the certificate it replaces.
	err = tx.QueryRowContext(ctx, `WITH c AS (
			INSERT INTO certificates (serial, kind, store_id, seller_id, settlement_id, tax_year, currency, gross_cents, costs_cents, net_cents,
				items, verification_code, issued_at, replaces_id, pdf)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id),
		i AS (INSERT INTO certificate_items (certificate_id, item_id) SELECT c.id, unnest($16::bigint[]) FROM c),
		u AS (UPDATE item_proceeds SET certificate_id = (SELECT id FROM c)
			WHERE item_id = ANY($16) AND $2 = 'SETTLEMENT' AND (certificate_id IS NULL OR certificate_id = $14) RETURNING 1)
		SELECT (SELECT id FROM c), (SELECT count(*) FROM u)`,
		d.Serial, g.Kind, g.StoreID, g.SellerID, g.SettlementID, g.TaxYear, g.Currency, d.Gross.Cents, d.Costs.Cents, d.Net.Cents,
		len(g.ItemIDs), d.VerificationCode, d.IssuedAt, replaces, pdf, g.ItemIDs).Scan(&id, &claimed)
	return id, claimed, err
}

// certificateScope limits what an actor reads: admins all, sellers theirs, staff their store's.
func certificateScope(ctx context.Context) (string, []any, error) {
	a, err := sc.RequireActor(ctx)
	if err != nil {
		return "", nil, err
	}
	return `($1 OR c.seller_id = $2 OR c.store_id = $3)`, []any{a.IsAdmin(), nullID(a.SellerID), nullID(a.StoreID)}, nil
}

// Certificates implements secondchance.CertificateService, newest first.
func (db *DB) Certificates(ctx context.Context, f sc.CertificateFilter, page sc.PageArgs) (*sc.Page[*sc.Certificate], error) {
	cond, args, err := certificateScope(ctx)
	if err != nil {
		return nil, err
	}
	limit, after, err := idPage(listCertificates, page)
	if err != nil {
		return nil, err
	}
	seller := f.Seller
	if f.Status != nil && *f.Status == sc.CertificateNotFound {
		return nil, sc.FieldErrorf("filter.status", sc.EINVALID, "a certificate is VALID or VOID; NOT_FOUND is only what verification says")
	}
	var kind, status *string
	if f.Kind != nil {
		kind = (*string)(f.Kind)
	}
	if f.Status != nil {
		status = (*string)(f.Status)
	}
	cond += ` AND ($4::text IS NULL OR c.kind = $4) AND ($5::text IS NULL OR ($5 = 'VOID') = (c.voided_at IS NOT NULL))
		AND ($6::int IS NULL OR c.tax_year = $6) AND ($7::bigint IS NULL OR c.seller_id = $7)`
	args = append(args, kind, status, f.TaxYear, seller)
	var rows []*sc.Certificate
	// The page joins its stores, which any token reads: no statement for store { … }.
	if err := db.SelectContext(ctx, &rows, `SELECT `+certificateColumns+`, `+joinedStoreColumns+` FROM certificates c `+certificateJoins+`
		JOIN stores st ON st.id = c.store_id WHERE `+cond+`
		AND ($8::bigint IS NULL OR c.id < $8) ORDER BY c.id DESC LIMIT $9`, append(args, after, limit+1)...); err != nil {
		return nil, mapError(err)
	}
	return newPage(rows, limit, page.After, func(c *sc.Certificate) string { return idCursor(listCertificates, c.ID) },
		db.countFunc(`SELECT count(*) FROM certificates c WHERE `+cond, args...)), nil
}

// CertificatesByID implements secondchance.CertificateService.
func (db *DB) CertificatesByID(ctx context.Context, ids []int64) ([]*sc.Certificate, error) {
	cond, args, err := certificateScope(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*sc.Certificate
	if err := db.SelectContext(ctx, &rows, `SELECT `+certificateColumns+` FROM certificates c `+certificateJoins+` WHERE `+cond+` AND c.id = ANY($4)`,
		append(args, pq.Array(ids))...); err != nil {
		return nil, mapError(err)
	}
	return byID(ids, rows, func(c *sc.Certificate) int64 { return c.ID }), nil
}

// CertificatesByItem implements secondchance.CertificateService.
func (db *DB) CertificatesByItem(ctx context.Context, itemIDs []int64) ([]*sc.Certificate, error) {
	cond, args, err := certificateScope(ctx)
	if err != nil {
		return nil, err
	}
	type row struct {
		ItemID int64 `db:"item_id"`
		sc.Certificate
	}
	var rows []*row
	if err := db.SelectContext(ctx, &rows, `SELECT ip.item_id, `+certificateColumns+` FROM item_proceeds ip JOIN certificates c ON c.id = ip.certificate_id `+certificateJoins+`
		WHERE `+cond+` AND ip.item_id = ANY($4)`, append(args, pq.Array(itemIDs))...); err != nil {
		return nil, mapError(err)
	}
	out := make([]*sc.Certificate, len(itemIDs))
	for i, r := range byID(itemIDs, rows, func(r *row) int64 { return r.ItemID }) {
		if r != nil {
			out[i] = &r.Certificate
		}
	}
	return out, nil
}

// VoidCertificate implements secondchance.CertificateService: the certificate is voided with
// the reason and, in the same transaction, replaced by a new one of the same items under a
// new serial, rendered from the data as it is now (a corrected name, say).
func (db *DB) VoidCertificate(ctx context.Context, certificate int64, reason string) (voided, replacement *sc.Certificate, err error) {
	a, err := sc.RequireActor(ctx)
	if err != nil {
		return nil, nil, err
	}
	if !a.IsAdmin() && a.Role != sc.RoleStaff {
		return nil, nil, sc.Errorf(sc.EFORBIDDEN, "only staff of the store and admins void certificates")
	}
	id := certificate
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 1000 {
		return nil, nil, sc.FieldErrorf("reason", sc.EINVALID, "say why the certificate is void, in 1 to 1,000 characters")
	}
	var newID int64
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		var old sc.Certificate
		if err := tx.GetContext(ctx, &old, `SELECT `+certificateColumns+` FROM certificates c `+certificateJoins+` WHERE c.id = $1 AND ($2 OR c.store_id = $3) FOR UPDATE OF c`,
			id, a.IsAdmin(), a.StoreID); err != nil {
			return notFound(err, "certificate", "no certificate of your store with this ID")
		}
		if old.VoidedAt != nil {
			return sc.FieldErrorf("certificate", sc.EALREADYVOID, "certificate %s was voided on %s: %s", old.Serial, old.VoidedAt.UTC().Format(time.RFC3339), *old.VoidReason)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE certificates SET voided_at = $2, void_reason = $3 WHERE id = $1`, id, db.Now(), reason); err != nil {
			return err
		}
		g := &certificateGroup{Kind: old.Kind, SellerID: old.SellerID, StoreID: old.StoreID, SettlementID: old.SettlementID,
			TaxYear: old.TaxYear, Currency: old.Currency, Replaces: &old}
		if err := tx.SelectContext(ctx, &g.ItemIDs, `SELECT item_id FROM certificate_items WHERE certificate_id = $1 ORDER BY item_id`, id); err != nil {
			return err
		}
		docs, err := db.certificateDocuments(ctx, tx, []*certificateGroup{g})
		if err != nil {
			return err
		}
		if err := db.allocateSerials(ctx, tx, docs); err != nil {
			return err
		}
		pdf, err := db.CertificateSetup.Renderer.Certificate(docs[0].doc)
		if err != nil {
			return fmt.Errorf("rendering %s: %w", docs[0].doc.Serial, err)
		}
		newID, _, err = insertCertificate(ctx, tx, docs[0], pdf)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	cs, err := db.CertificatesByID(ctx, []int64{id, newID})
	if err != nil {
		return nil, nil, err
	}
	return cs[0], cs[1], nil
}

// VerifyCertificate implements secondchance.CertificateService for anyone: with the right
// code it tells VALID or VOID and the certificate's essentials; a wrong code and an unknown
// serial both answer NOT_FOUND, and count against the client, which is refused (RATE_LIMITED)
// after VerifyFailureLimit failures within VerifyFailureWindow.
//
// Every evaluation takes one of the client's slots before it compares anything, under a lock
// per client, and gives it back only when the code was right: however many guesses arrive at
// once (aliases in one request, or concurrent requests), no more than VerifyFailureLimit are
// ever compared within a window.
func (db *DB) VerifyCertificate(ctx context.Context, client, serial, code string) (*sc.CertificateVerification, error) {
	now := db.Now()
	if err := db.takeVerifySlot(ctx, client, now); err != nil {
		return nil, err
	}
	v, err := db.verifyCertificate(ctx, serial, code)
	if err == nil && v.Status != sc.CertificateNotFound {
		// A right code is no guess: its slot goes back.
		if err := db.returnVerifySlot(ctx, client, now); err != nil {
			return nil, err
		}
	}
	return v, err
}

// returnVerifySlot gives back the slot takeVerifySlot took at now, under the same lock, and
// drops the minute's row once it counts nothing.
func (db *DB) returnVerifySlot(ctx context.Context, client string, now time.Time) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('verify:' || $1, 0))`, client); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE verification_failures SET failures = failures - 1
			WHERE client = $1 AND minute = date_trunc('minute', $2::timestamptz) AND failures > 0`, client, now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM verification_failures
			WHERE client = $1 AND minute = date_trunc('minute', $2::timestamptz) AND failures = 0`, client, now)
		return err
	})
}

// takeVerifySlot counts one evaluation against client, or answers RATE_LIMITED when its window
// is full. The advisory lock serialises the check and the increment of one client's guesses;
// each statement after it reads the counts committed by the guesses before.
func (db *DB) takeVerifySlot(ctx context.Context, client string, now time.Time) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('verify:' || $1, 0))`, client); err != nil {
			return err
		}
		var failures int
		if err := tx.GetContext(ctx, &failures, `SELECT coalesce(sum(failures), 0) FROM verification_failures WHERE client = $1 AND minute > $2`,
			client, now.Add(-sc.VerifyFailureWindow)); err != nil {
			return err
		}
		if failures >= sc.VerifyFailureLimit {
			return sc.Errorf(sc.ERATELIMITED, "too many failed verifications from your address; try again in %d minutes", int(sc.VerifyFailureWindow.Minutes()))
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO verification_failures (client, minute, failures) VALUES ($1, date_trunc('minute', $2::timestamptz), 1)
			ON CONFLICT (client, minute) DO UPDATE SET failures = verification_failures.failures + 1`, client, now)
		return err
	})
}

// verifyCertificate compares code with serial's; a wrong code or an unknown serial is
// CertificateNotFound.
func (db *DB) verifyCertificate(ctx context.Context, serial, code string) (*sc.CertificateVerification, error) {
	var row struct {
		sc.Certificate
		Donor      string         `db:"donor"`
		StoreName  string         `db:"store_name"`
		ReplacedBy *string        `db:"replaced_by"`
		Charities  pq.StringArray `db:"charities"`
	}
	err := db.GetContext(ctx, &row, `SELECT `+certificateColumns+`, st.name AS store_name,
			(SELECT n.serial FROM certificates n WHERE n.replaces_id = c.id) AS replaced_by,
			ARRAY(SELECT DISTINCT b.name FROM certificate_items ci JOIN donation_allocations a ON a.item_id = ci.item_id
				JOIN beneficiaries b ON b.id = a.beneficiary_id WHERE ci.certificate_id = c.id ORDER BY b.name) AS charities
		FROM certificates c `+certificateJoins+` JOIN stores st ON st.id = c.store_id WHERE c.serial = $1`, strings.TrimSpace(serial))
	if err != nil && sc.ErrorCode(mapError(err)) != sc.ENOTFOUND {
		return nil, mapError(err)
	}
	if err != nil || subtle.ConstantTimeCompare([]byte(row.VerificationCode), []byte(strings.ToUpper(strings.TrimSpace(code)))) != 1 {
		return &sc.CertificateVerification{Serial: serial, Status: sc.CertificateNotFound}, nil
	}
	c := row.Certificate
	gross, net := c.Gross(), c.Net()
	return &sc.CertificateVerification{Serial: c.Serial, Status: c.Status(), DonorName: &c.DonorName, IssuedAt: &c.IssuedAt,
		Gross: &gross, Net: &net, Charities: row.Charities, StoreName: row.StoreName, VoidReason: c.VoidReason,
		ReplacedBy: row.ReplacedBy, TaxYear: &c.TaxYear, Kind: &c.Kind}, nil
}

// CertificatePDF implements secondchance.FileService: a valid certificate's PDF as stored; a
// void one's stamped VOID, so that a copy passed on cannot pass for one in force. The stamp is
// an incremental update appended to the stored bytes, which stay as issued.
func (db *DB) CertificatePDF(ctx context.Context, serial string) ([]byte, error) {
	pdf, void, err := db.StoredCertificatePDF(ctx, serial)
	if err != nil || void == nil {
		return pdf, err
	}
	return db.CertificateSetup.Renderer.StampVoid(pdf, void)
}

// StoredCertificatePDF returns a certificate's stored PDF by serial and, when the certificate
// is void, what its download is stamped with (nil while it is valid), read together so the two
// cannot disagree.
func (db *DB) StoredCertificatePDF(ctx context.Context, serial string) ([]byte, *sc.VoidNotice, error) {
	var row struct {
		PDF        []byte     `db:"pdf"`
		VoidedAt   *time.Time `db:"voided_at"`
		VoidReason *string    `db:"void_reason"`
		ReplacedBy *string    `db:"replaced_by"`
	}
	if err := db.GetContext(ctx, &row, `SELECT c.pdf, c.voided_at, c.void_reason,
			(SELECT n.serial FROM certificates n WHERE n.replaces_id = c.id) AS replaced_by
		FROM certificates c WHERE c.serial = $1`, serial); err != nil {
		return nil, nil, notFound(err, "serial", "no certificate %s", serial)
	}
	if row.VoidedAt == nil {
		return row.PDF, nil, nil
	}
	v := &sc.VoidNotice{Serial: serial, VoidedAt: *row.VoidedAt}
	if row.VoidReason != nil {
		v.Reason = *row.VoidReason
	}
	if row.ReplacedBy != nil {
		v.ReplacedBy = *row.ReplacedBy
	}
	return row.PDF, v, nil
}

// CertificateMail is a certificate to email to its seller.
type CertificateMail struct {
	ID       int64   `db:"id"`
	Serial   string  `db:"serial"`
	Kind     string  `db:"kind"`
	TaxYear  int     `db:"tax_year"`
	Net      int64   `db:"net_cents"`
	Currency string  `db:"currency"`
	To       string  `db:"email"`
	Seller   string  `db:"seller"`
	Replaces *string `db:"replaces"`
	PDF      []byte  `db:"pdf"`
}

// UnsentCertificates returns up to limit valid certificates not yet emailed to a seller with an
// email address, oldest first.
func (db *DB) UnsentCertificates(ctx context.Context, limit int) ([]int64, error) {
	var ids []int64
	err := db.SelectContext(ctx, &ids, `SELECT c.id FROM certificates c JOIN sellers s ON s.id = c.seller_id
		WHERE c.emailed_at IS NULL AND c.voided_at IS NULL AND s.email <> '' ORDER BY c.id LIMIT $1`, limit)
	return ids, mapError(err)
}

// CertificateMailByID reads one certificate to email.
func (db *DB) CertificateMailByID(ctx context.Context, id int64) (*CertificateMail, error) {
	var m CertificateMail
	err := db.GetContext(ctx, &m, `SELECT c.id, c.serial, c.kind, c.tax_year, c.net_cents, c.currency, s.email,
			`+donorName+` AS seller, r.serial AS replaces, c.pdf
		FROM certificates c JOIN sellers s ON s.id = c.seller_id LEFT JOIN certificates r ON r.id = c.replaces_id WHERE c.id = $1`, id)
	return &m, mapError(err)
}

// MarkCertificateEmailed records that a certificate went out.
func (db *DB) MarkCertificateEmailed(ctx context.Context, id int64) error {
	_, err := db.ExecContext(ctx, `UPDATE certificates SET emailed_at = $2 WHERE id = $1`, id, db.Now())
	return mapError(err)
}

// SetDonorDetails implements secondchance.CertificateService for the acting seller. Only
// certificates issued afterwards print the new details; issued ones never change.
func (db *DB) SetDonorDetails(ctx context.Context, d sc.DonorDetails) error {
	a, err := sc.RequireRole(ctx, sc.RoleSeller)
	if err != nil {
		return err
	}
	if err := d.Validate(); err != nil {
		return err
	}
	line2 := ""
	if d.AddressLine2 != nil {
		line2 = *d.AddressLine2
	}
	_, err = db.ExecContext(ctx, `UPDATE sellers SET legal_name = $2, address_line1 = $3, address_line2 = $4, city = $5, region = $6,
		postal_code = $7, country = $8, updated_at = $9 WHERE id = $1`, a.SellerID, d.LegalName, d.AddressLine1, line2, d.City, d.Region, d.PostalCode, d.Country, db.Now())
	return mapError(err)
}

// PruneVerificationFailures forgets failed verifications older than the window they count in;
// the daily clean-up runs it.
func (db *DB) PruneVerificationFailures(ctx context.Context) error {
	_, err := db.ExecContext(ctx, `DELETE FROM verification_failures WHERE minute < $1`, db.Now().Add(-sc.VerifyFailureWindow))
	return mapError(err)
}
