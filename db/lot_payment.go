package db

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	sc "github.com/secondchance/secondchance"
)

const offerColumns = `o.id, o.lot_id, o.bidder_id, o.cents, l.currency, o.offered_at, o.expires_at, o.status, o.decided_at`

// RecordLotPayment implements secondchance.AuctionService: the winner paid the hammer price, and
// the lot becomes one AUCTION sale per item, the price split over the items in proportion to
// their estimates (to the cent), so the existing settlement takes it from there.
func (db *DB) RecordLotPayment(ctx context.Context, in sc.PaymentInput) (*sc.Lot, error) {
	a, err := sc.RequireRole(ctx, sc.RoleStaff)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	paid, _ := sc.ParseMoney(in.Amount.Amount, in.Amount.Currency) // validated
	var lot *sc.Lot
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		l, _, err := lockLot(ctx, tx, &a.StoreID, in.Lot, "lot")
		if err != nil {
			return err
		}
		lot = l
		if lot.Status == sc.LotPaid {
			return sc.FieldErrorf("lot", sc.ECONFLICT, "the lot was paid already, on %s", lot.PaidAt.UTC().Format(time.DateOnly))
		}
		if !lot.Payable() {
			return sc.FieldErrorf("lot", sc.ELOTSTATE, "the lot is %s; only a SOLD lot is paid", lot.Status)
		}
		if paid.Currency != lot.Currency {
			return sc.FieldErrorf("amount.currency", sc.EINVALID, "the lot was sold in %s", lot.Currency)
		}
		if paid.Cents != *lot.HammerCents {
			return sc.FieldErrorf("amount.amount", sc.EINVALID, "the lot's price is %s; record the whole payment", lot.Hammer())
		}
		var items []struct {
			ID       int64         `db:"item_id"`
			Estimate int64         `db:"estimate_cents"`
			Status   sc.ItemStatus `db:"status"`
		}
		if err := tx.SelectContext(ctx, &items, `SELECT li.item_id, li.estimate_cents, i.status FROM lot_items li
			JOIN returned_items i ON i.id = li.item_id WHERE li.lot_id = $1 ORDER BY li.position FOR UPDATE OF i`, lot.ID); err != nil {
			return err
		}
		ids, weights := make([]int64, len(items)), make([]int64, len(items))
		for i, it := range items {
			if err := sc.ItemSell.Step("lot", it.Status, sc.ItemSold); err != nil {
				return err
			}
			ids[i], weights[i] = it.ID, it.Estimate
		}
		prices := sc.SplitCents(paid.Cents, weights)
		now := db.Now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO sales (item_id, price_cents, currency, channel, sold_at, created_by, lot_id, created_by_staff)
			SELECT x.id, x.price, $3, $7, $4, $5, $6, $8 FROM unnest($1::bigint[], $2::bigint[]) AS x(id, price)`,
			pq.Array(ids), pq.Array(prices), paid.Currency, *lot.ClosedAt, tokenRef(a), lot.ID, sc.SaleChannelAuction, staffRef(a)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE returned_items SET status = $2 WHERE id = ANY($1)`, pq.Array(ids), sc.ItemSold); err != nil {
			return err
		}
		method := in.Method
		lot.Status, lot.PaidCents, lot.PaymentMethod, lot.PaidAt = sc.LotPaid, &paid.Cents, &method, &now
		if _, err := tx.ExecContext(ctx, `UPDATE lots SET paid_cents = $2, payment_method = $3, paid_at = $4 WHERE id = $1`,
			lot.ID, paid.Cents, method, now); err != nil {
			return err
		}
		return saveLot(ctx, tx, lot, now, event{kind: sc.LotPaidEvent, bidder: lot.WinnerBidderID, amount: &paid.Cents, detail: string(method)})
	})
	if err != nil {
		return nil, err
	}
	return lot, nil
}

// MarkLotUnpaid implements secondchance.AuctionService. The winner's strike may block them: the
// store's limit of unpaid wins.
func (db *DB) MarkLotUnpaid(ctx context.Context, id int64) (*sc.Lot, error) {
	a, err := sc.RequireRole(ctx, sc.RoleStaff)
	if err != nil {
		return nil, err
	}
	var lot *sc.Lot
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		l, _, err := lockLot(ctx, tx, &a.StoreID, id, "lot")
		if err != nil {
			return err
		}
		lot = l
		if !lot.Payable() {
			return sc.FieldErrorf("lot", sc.ELOTSTATE, "the lot is %s; only a SOLD lot not paid becomes UNPAID", lot.Status)
		}
		now := db.Now()
		if now.Before(*lot.DueAt) {
			return sc.FieldErrorf("lot", sc.ELOTSTATE, "the winner may pay until %s", lot.DueAt.UTC().Format(time.RFC3339))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE bidders b SET unpaid_strikes = b.unpaid_strikes + 1,
				blocked_at = CASE WHEN b.blocked_at IS NULL AND b.unpaid_strikes + 1 >= s.auction_unpaid_limit THEN $2 ELSE b.blocked_at END,
				block_reason = CASE WHEN b.blocked_at IS NULL AND b.unpaid_strikes + 1 >= s.auction_unpaid_limit
					THEN (b.unpaid_strikes + 1) || ' unpaid wins' ELSE b.block_reason END
			FROM stores s WHERE b.id = $1 AND s.id = b.store_id`, *lot.WinnerBidderID, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE lot_items SET live = false WHERE lot_id = $1`, lot.ID); err != nil {
			return err
		}
		lot.Status, lot.UnpaidAt = sc.LotUnpaid, &now
		if _, err := tx.ExecContext(ctx, `UPDATE lots SET unpaid_at = $2 WHERE id = $1`, lot.ID, now); err != nil {
			return err
		}
		return saveLot(ctx, tx, lot, now, event{kind: sc.LotUnpaidEvent, bidder: lot.WinnerBidderID})
	})
	if err != nil {
		return nil, err
	}
	return lot, nil
}

// MakeSecondChanceOffer implements secondchance.AuctionService: an UNPAID lot is offered to
// another bidder at that bidder's own highest bid, one offer at a time.
func (db *DB) MakeSecondChanceOffer(ctx context.Context, in sc.OfferInput) (*sc.SecondChanceOffer, error) {
	a, err := sc.RequireRole(ctx, sc.RoleStaff)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var o sc.SecondChanceOffer
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		lot, _, err := lockLot(ctx, tx, &a.StoreID, in.Lot, "lot")
		if err != nil {
			return err
		}
		if !lot.Offerable() {
			return sc.FieldErrorf("lot", sc.ELOTSTATE, "the lot is %s; second-chance offers are for UNPAID lots", lot.Status)
		}
		now := db.Now()
		if err := expireOffers(ctx, tx, lot.ID, now); err != nil {
			return err
		}
		var open int
		if err := tx.GetContext(ctx, &open, `SELECT count(*) FROM second_chance_offers WHERE lot_id = $1 AND status IN ('OPEN', 'ACCEPTED')`, lot.ID); err != nil {
			return err
		}
		if open > 0 {
			return sc.FieldErrorf("lot", sc.ELOTSTATE, "the lot has an offer open or accepted")
		}
		if lot.WinnerBidderID != nil && *lot.WinnerBidderID == in.Bidder {
			return sc.FieldErrorf("bidder", sc.EINVALID, "the bidder won the lot and did not pay; offer it to another bidder")
		}
		var high *int64
		if err := tx.GetContext(ctx, &high, `SELECT max(b.cents) FROM bids b WHERE b.lot_id = $1 AND b.bidder_id = $2 AND b.retracted_at IS NULL`,
			lot.ID, in.Bidder); err != nil {
			return err
		}
		var struck bool
		if err := tx.GetContext(ctx, &struck, `SELECT EXISTS (SELECT 1 FROM second_chance_offers WHERE lot_id = $1 AND bidder_id = $2)`, lot.ID, in.Bidder); err != nil {
			return err
		}
		if struck {
			return sc.FieldErrorf("bidder", sc.ECONFLICT, "the bidder had an offer for this lot already")
		}
		if high == nil {
			return sc.FieldErrorf("bidder", sc.ENOTFOUND, "the bidder has no bid on this lot")
		}
		if err := tx.GetContext(ctx, &o, `WITH o AS (INSERT INTO second_chance_offers (lot_id, bidder_id, cents, offered_at, expires_at)
				VALUES ($1, $2, $3, $4, $5) RETURNING *)
			SELECT `+offerColumns+` FROM o JOIN lots l ON l.id = o.lot_id`,
			lot.ID, in.Bidder, *high, now, now.AddDate(0, 0, in.Days)); err != nil {
			return err
		}
		return saveLot(ctx, tx, lot, now, event{kind: sc.LotOfferMade, bidder: &in.Bidder, amount: high,
			detail: o.ExpiresAt.UTC().Format(time.RFC3339)})
	})
	if err != nil {
		return nil, err
	}
	return &o, nil
}

func expireOffers(ctx context.Context, tx *sqlx.Tx, lot int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE second_chance_offers SET status = 'EXPIRED', decided_at = expires_at
		WHERE lot_id = $1 AND status = 'OPEN' AND expires_at <= $2`, lot, now)
	return err
}

// DecideSecondChanceOffer implements secondchance.AuctionService: staff record the bidder's
// answer. An accepted offer makes the bidder the lot's winner at the offered price, to pay in
// the store's payment window.
func (db *DB) DecideSecondChanceOffer(ctx context.Context, id int64, accept bool) (*sc.SecondChanceOffer, error) {
	a, err := sc.RequireRole(ctx, sc.RoleStaff)
	if err != nil {
		return nil, err
	}
	var o sc.SecondChanceOffer
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		var lotID int64
		if err := tx.GetContext(ctx, &lotID, `SELECT o.lot_id FROM second_chance_offers o JOIN lots l ON l.id = o.lot_id
			JOIN auctions a ON a.id = l.auction_id WHERE o.id = $1 AND a.store_id = $2`, id, a.StoreID); err != nil {
			return notFound(err, "offer", "no offer of this store with this ID")
		}
		lot, au, err := lockLot(ctx, tx, &a.StoreID, lotID, "offer")
		if err != nil {
			return err
		}
		now := db.Now()
		if err := expireOffers(ctx, tx, lot.ID, now); err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &o, `SELECT `+offerColumns+` FROM second_chance_offers o JOIN lots l ON l.id = o.lot_id WHERE o.id = $1`, id); err != nil {
			return err
		}
		if o.Status != sc.OfferOpen {
			return sc.FieldErrorf("offer", sc.ELOTSTATE, "the offer is %s", o.Status)
		}
		status := sc.OfferDeclined
		if !accept {
			if err := saveLot(ctx, tx, lot, now, event{kind: sc.LotOfferDeclined, bidder: &o.BidderID, amount: &o.Cents}); err != nil {
				return err
			}
		} else {
			status = sc.OfferAccepted
			if !lot.Offerable() {
				return sc.FieldErrorf("offer", sc.ELOTSTATE, "the lot is %s", lot.Status)
			}
			res, err := tx.ExecContext(ctx, `UPDATE lot_items SET live = true WHERE lot_id = $1
				AND NOT EXISTS (SELECT 1 FROM lot_items x WHERE x.item_id = lot_items.item_id AND x.live AND x.lot_id <> $1)`, lot.ID)
			if err != nil {
				return err
			}
			var items int
			if err := tx.GetContext(ctx, &items, `SELECT count(*) FROM lot_items WHERE lot_id = $1`, lot.ID); err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); int(n) != items {
				return sc.FieldErrorf("offer", sc.ELOTSTATE, "the lot's items were relisted; the offer cannot be accepted")
			}
			var days int
			if err := tx.GetContext(ctx, &days, `SELECT auction_payment_days FROM stores WHERE id = $1`, au.StoreID); err != nil {
				return err
			}
			due := now.AddDate(0, 0, days)
			lot.Status, lot.WinnerBidderID, lot.HammerCents, lot.DueAt = sc.LotSold, &o.BidderID, &o.Cents, &due
			if err := saveLot(ctx, tx, lot, now, event{kind: sc.LotOfferAccepted, bidder: &o.BidderID, amount: &o.Cents}); err != nil {
				return err
			}
			if db.AfterLotWon != nil {
				if err := db.AfterLotWon(ctx, tx.Tx); err != nil {
					return err
				}
			}
			// The new winner is told as the first one was.
			if _, err := tx.ExecContext(ctx, `UPDATE lots SET winner_notified_at = NULL WHERE id = $1`, lot.ID); err != nil {
				return err
			}
		}
		return tx.GetContext(ctx, &o, `WITH o AS (UPDATE second_chance_offers SET status = $2, decided_at = $3 WHERE id = $1 RETURNING *)
			SELECT `+offerColumns+` FROM o JOIN lots l ON l.id = o.lot_id`, id, status, now)
	})
	if err != nil {
		return nil, err
	}
	return &o, nil
}

// Offers implements secondchance.AuctionService.
func (db *DB) Offers(ctx context.Context, lotIDs []int64) ([][]*sc.SecondChanceOffer, error) {
	sp, err := storeScope(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*sc.SecondChanceOffer
	if err := db.SelectContext(ctx, &rows, `SELECT o.id, o.lot_id, o.bidder_id, o.cents, l.currency, o.offered_at, o.expires_at,
			CASE WHEN o.status = 'OPEN' AND o.expires_at <= $3 THEN 'EXPIRED' ELSE o.status END AS status, o.decided_at
		FROM second_chance_offers o JOIN lots l ON l.id = o.lot_id JOIN auctions a ON a.id = l.auction_id
		WHERE o.lot_id = ANY($1) AND ($2::bigint IS NULL OR a.store_id = $2) ORDER BY o.lot_id, o.id`, pq.Array(lotIDs), sp, db.Now()); err != nil {
		return nil, mapError(err)
	}
	return groupByID(lotIDs, rows, func(o *sc.SecondChanceOffer) int64 { return o.LotID }), nil
}

// OffersByID implements secondchance.AuctionService.
func (db *DB) OffersByID(ctx context.Context, ids []int64) ([]*sc.SecondChanceOffer, error) {
	sp, err := storeScope(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*sc.SecondChanceOffer
	if err := db.SelectContext(ctx, &rows, `SELECT `+offerColumns+` FROM second_chance_offers o JOIN lots l ON l.id = o.lot_id
		JOIN auctions a ON a.id = l.auction_id WHERE o.id = ANY($1) AND ($2::bigint IS NULL OR a.store_id = $2)`, pq.Array(ids), sp); err != nil {
		return nil, mapError(err)
	}
	return byID(ids, rows, func(o *sc.SecondChanceOffer) int64 { return o.ID }), nil
}

// Results implements secondchance.AuctionService in one statement.
func (db *DB) Results(ctx context.Context, auction int64) (*sc.AuctionResults, error) {
	sp, err := storeScope(ctx)
	if err != nil {
		return nil, err
	}
	var r struct {
		Lots          int    `db:"lots"`
		Sold          int    `db:"sold"`
		Paid          int    `db:"paid"`
		Unpaid        int    `db:"unpaid"`
		Unsold        int    `db:"unsold"`
		NoBids        int    `db:"no_bids"`
		ReserveNotMet int    `db:"reserve_not_met"`
		Passed        int    `db:"passed"`
		Offers        int    `db:"offers"`
		Taken         int    `db:"taken"`
		Gross         int64  `db:"gross"`
		Collected     int64  `db:"collected"`
		Found         bool   `db:"found"`
		Currency      string `db:"currency"`
	}
	if err := db.GetContext(ctx, &r, `SELECT count(l.id) AS lots,
			count(*) FILTER (WHERE l.status IN ('SOLD', 'PAID')) AS sold,
			count(*) FILTER (WHERE l.status = 'PAID') AS paid,
			count(*) FILTER (WHERE l.status = 'UNPAID') AS unpaid,
			count(*) FILTER (WHERE l.status = 'UNSOLD') AS unsold,
			count(*) FILTER (WHERE l.unsold_reason = 'NO_BIDS') AS no_bids,
			count(*) FILTER (WHERE l.unsold_reason = 'RESERVE_NOT_MET') AS reserve_not_met,
			count(*) FILTER (WHERE l.unsold_reason = 'PASSED') AS passed,
			coalesce(sum((SELECT count(*) FROM second_chance_offers o WHERE o.lot_id = l.id)), 0) AS offers,
			coalesce(sum((SELECT count(*) FROM second_chance_offers o WHERE o.lot_id = l.id AND o.status = 'ACCEPTED')), 0) AS taken,
			coalesce(sum(l.hammer_cents) FILTER (WHERE l.status IN ('SOLD', 'PAID')), 0) AS gross,
			coalesce(sum(l.paid_cents), 0) AS collected,
			count(a.id) > 0 AS found,
			coalesce(min(l.currency), $3) AS currency
		FROM auctions a LEFT JOIN lots l ON l.auction_id = a.id
		WHERE a.id = $1 AND ($2::bigint IS NULL OR a.store_id = $2)`, auction, sp, sc.DefaultCurrency); err != nil {
		return nil, mapError(err)
	}
	if !r.Found {
		return nil, sc.FieldErrorf("auction", sc.ENOTFOUND, "no auction of this store with this ID")
	}
	return &sc.AuctionResults{Lots: r.Lots, Sold: r.Sold, Paid: r.Paid, Unpaid: r.Unpaid, Unsold: r.Unsold, NoBids: r.NoBids,
		ReserveNotMet: r.ReserveNotMet, Passed: r.Passed, OffersMade: r.Offers, OffersTaken: r.Taken,
		GrossCents: r.Gross, PaidCents: r.Collected, Currency: r.Currency}, nil
}

// WinnerNotice is what a lot's winner is emailed.
type WinnerNotice struct {
	LotID     int64     `db:"lot_id"`
	Number    int       `db:"number"`
	Title     string    `db:"title"`
	Auction   string    `db:"auction"`
	Store     string    `db:"store"`
	Name      string    `db:"name"`
	Email     string    `db:"email"`
	Paddle    int       `db:"paddle"`
	Cents     int64     `db:"hammer_cents"`
	Currency  string    `db:"currency"`
	DueAt     time.Time `db:"due_at"`
	ClosedSeq int64     `db:"seq"`
}

// UnnotifiedWinners returns lots won whose winner was not emailed yet, oldest first.
func (db *DB) UnnotifiedWinners(ctx context.Context, limit int) ([]*WinnerNotice, error) {
	rows := []*WinnerNotice{}
	err := db.SelectContext(ctx, &rows, `SELECT l.id AS lot_id, l.number, l.title, a.title AS auction, s.name AS store, b.name, b.email,
			p.number AS paddle, l.hammer_cents, l.currency, l.due_at, l.seq
		FROM lots l JOIN auctions a ON a.id = l.auction_id JOIN stores s ON s.id = a.store_id
		JOIN bidders b ON b.id = l.winner_bidder_id JOIN paddles p ON p.auction_id = a.id AND p.bidder_id = b.id
		WHERE l.status = 'SOLD' AND l.winner_notified_at IS NULL ORDER BY l.closed_at, l.id LIMIT $1`, limit)
	return rows, mapError(err)
}

// MarkWinnerNotified records that a lot's winner was emailed.
func (db *DB) MarkWinnerNotified(ctx context.Context, lot int64) error {
	_, err := db.ExecContext(ctx, `UPDATE lots SET winner_notified_at = $2 WHERE id = $1`, lot, db.Now())
	return mapError(err)
}

// LotReceiptPDF implements secondchance.FileService: the buyer's receipt of a paid lot, by the
// lot's ID, rendered from the lot, its items and the payment. It checks no actor: the caller
// holds a signed link.
func (db *DB) LotReceiptPDF(ctx context.Context, ref string) ([]byte, error) {
	id, err := strconv.ParseInt(ref, 10, 64)
	if err != nil {
		return nil, sc.Errorf(sc.ENOTFOUND, "no such receipt")
	}
	if db.CertificateSetup.Renderer == nil {
		return nil, fmt.Errorf("no document renderer is configured")
	}
	lot, err := lotByID(ctx, db, id)
	if err != nil {
		return nil, notFound(err, "", "no such receipt")
	}
	if lot.Status != sc.LotPaid {
		return nil, sc.Errorf(sc.ENOTFOUND, "the lot is not paid; it has no receipt")
	}
	var st sc.Store
	if err := db.GetContext(ctx, &st, `SELECT `+storeColumns+` FROM stores s WHERE s.id = $1`, lot.StoreID); err != nil {
		return nil, mapError(err)
	}
	var auction string
	if err := db.GetContext(ctx, &auction, `SELECT title FROM auctions WHERE id = $1`, lot.AuctionID); err != nil {
		return nil, mapError(err)
	}
	var b sc.Bidder
	if err := db.GetContext(ctx, &b, `SELECT `+bidderColumns+` FROM bidders b WHERE b.id = $1`, *lot.WinnerBidderID); err != nil {
		return nil, mapError(err)
	}
	var items []sc.ReceiptItem
	if err := db.SelectContext(ctx, &items, `SELECT i.description AS title,
			coalesce(r.code || ' line ' || i.line, 'parcel ' || p.id || ' line ' || i.line) AS reference
		FROM lot_items li JOIN returned_items i ON i.id = li.item_id JOIN parcels p ON p.id = i.parcel_id
		LEFT JOIN return_authorizations r ON r.id = p.rma_id WHERE li.lot_id = $1 ORDER BY li.position`, lot.ID); err != nil {
		return nil, mapError(err)
	}
	paid, est := *lot.Paid(), lot.Estimate()
	deductible, disclosure := sc.ReceiptTerms(paid, est)
	doc := &sc.ReceiptDocument{Number: fmt.Sprintf("R-%d-%d", lot.AuctionID, lot.Number), PaidAt: *lot.PaidAt,
		Store: sc.Party{Name: st.Name, EIN: st.EIN, Address: st.ReturnAddress()}, Auction: auction, Lot: lot.Number,
		LotTitle: lot.Title, Items: items, Bidder: b.Name, Paddle: derefInt(lot.WinnerPaddle), Address: b.Address(),
		Paid: paid, Estimate: est, Deductible: deductible, Disclosure: disclosure}
	if lot.PaymentMethod != nil {
		doc.Method = *lot.PaymentMethod
	}
	return db.CertificateSetup.Renderer.Receipt(doc)
}

func derefInt(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}
