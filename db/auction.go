package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	sc "github.com/secondchance/secondchance"
)

var _ sc.AuctionService = (*DB)(nil)

const (
	listAuctions         list = "auctions"
	listLots             list = "lots"
	listBidders          list = "bidders"
	listAuctionableItems list = "auctionableItems"
)

const auctionColumns = `a.id, a.store_id, a.title, a.description, a.kind, a.status, a.starts_at, a.ends_at,
	a.soft_close_seconds, a.extension_cap_seconds, a.stagger_seconds, a.created_at, a.opened_at, a.closed_at`

const lotColumns = `l.id, l.auction_id, a.store_id, l.number, l.title, l.description, l.currency, l.estimate_cents,
	l.starting_cents, l.reserve_cents, l.increments, l.increments_version, l.status, l.unsold_reason, l.seq,
	l.price_cents, l.leader_bidder_id, l.leader_max_cents, l.leader_seq, l.bid_count, l.scheduled_end, l.ends_at,
	l.cap_at, l.opened_at, l.closed_at, l.winner_bidder_id, l.hammer_cents, l.due_at, l.paid_cents,
	l.payment_method, l.paid_at, l.unpaid_at, l.relisted_from, l.created_at,
	(SELECT number FROM paddles WHERE auction_id = l.auction_id AND bidder_id = l.leader_bidder_id) AS leader_paddle,
	(SELECT number FROM paddles WHERE auction_id = l.auction_id AND bidder_id = l.winner_bidder_id) AS winner_paddle`

const bidderColumns = `b.id, b.store_id, b.name, b.email, b.phone, b.address_line1, b.address_line2, b.city,
	b.region, b.postal_code, b.country, b.unpaid_strikes, b.blocked_at, b.block_reason, b.created_at`

// storeScope is the store an actor's auction reads are limited to: its own for staff, none
// (every store) for admins. Sellers have no part in auctions.
func storeScope(ctx context.Context) (*int64, error) {
	a, err := sc.RequireRole(ctx, sc.RoleStaff, sc.RoleAdmin)
	if err != nil {
		return nil, err
	}
	if a.Role == sc.RoleAdmin {
		return nil, nil
	}
	id := a.StoreID
	return &id, nil
}

// staffAuction locks an auction of the staff's store; another store's does not exist for it.
func staffAuction(ctx context.Context, tx *sqlx.Tx, a *sc.Actor, id int64, field string) (*sc.Auction, error) {
	var au sc.Auction
	if err := tx.GetContext(ctx, &au, `SELECT `+auctionColumns+` FROM auctions a WHERE a.id = $1 AND a.store_id = $2 FOR UPDATE`,
		id, a.StoreID); err != nil {
		return nil, notFound(err, field, "no auction of this store with this ID")
	}
	return &au, nil
}

// lockLot locks a lot, of the store when store is set. Every change of a lot takes this lock
// first, so each lot's events are serialised by its own row.
func lockLot(ctx context.Context, tx *sqlx.Tx, store *int64, id int64, field string) (*sc.Lot, *sc.Auction, error) {
	var row struct {
		sc.Lot
		AKind   sc.AuctionKind   `db:"a_kind"`
		AStatus sc.AuctionStatus `db:"a_status"`
		ATitle  string           `db:"a_title"`
		ASoft   int              `db:"a_soft"`
	}
	err := tx.GetContext(ctx, &row, `SELECT `+lotColumns+`, a.kind AS a_kind, a.status AS a_status, a.title AS a_title,
			a.soft_close_seconds AS a_soft
		FROM lots l JOIN auctions a ON a.id = l.auction_id
		WHERE l.id = $1 AND ($2::bigint IS NULL OR a.store_id = $2) FOR UPDATE OF l`, id, store)
	if err != nil {
		return nil, nil, notFound(err, field, "no lot of this store with this ID")
	}
	lot := row.Lot
	return &lot, &sc.Auction{ID: lot.AuctionID, StoreID: lot.StoreID, Kind: row.AKind, Status: row.AStatus,
		Title: row.ATitle, SoftCloseSeconds: row.ASoft}, nil
}

// CreateAuction implements secondchance.AuctionService.
func (db *DB) CreateAuction(ctx context.Context, in sc.AuctionInput) (*sc.Auction, error) {
	a, err := sc.RequireRole(ctx, sc.RoleStaff)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	now := db.Now()
	var au sc.Auction
	err = db.GetContext(ctx, &au, `INSERT INTO auctions AS a (store_id, title, description, kind, status, starts_at, ends_at,
			soft_close_seconds, extension_cap_seconds, stagger_seconds, created_at)
		VALUES ($1, $2, $3, $4, 'DRAFT', $5, $6, $7, $8, $9, $10) RETURNING `+auctionColumns,
		a.StoreID, in.Title, in.Description, in.Kind, in.StartsAt, in.EndsAt, int(*in.SoftCloseWindow/time.Second),
		int(*in.ExtensionCap/time.Second), int(*in.Stagger/time.Second), now)
	if err != nil {
		return nil, mapError(err)
	}
	return &au, nil
}

// ScheduleAuction implements secondchance.AuctionService.
func (db *DB) ScheduleAuction(ctx context.Context, id int64) (*sc.Auction, error) {
	return db.changeAuction(ctx, id, func(tx *sqlx.Tx, au *sc.Auction) error {
		if !au.Schedulable() {
			return sc.FieldErrorf("auction", sc.ELOTSTATE, "the auction is %s; only a DRAFT auction is scheduled", au.Status)
		}
		if err := needLots(ctx, tx, au.ID); err != nil {
			return err
		}
		if !au.StartsAt.After(db.Now()) {
			return sc.FieldErrorf("auction", sc.ELOTSTATE, "the auction's start has passed; open it now instead")
		}
		if err := tx.GetContext(ctx, au, `UPDATE auctions a SET status = 'SCHEDULED' WHERE a.id = $1 RETURNING `+auctionColumns, au.ID); err != nil {
			return err
		}
		if db.AfterAuctionScheduled != nil {
			return db.AfterAuctionScheduled(ctx, tx.Tx, au.ID, au.StartsAt)
		}
		return nil
	})
}

func needLots(ctx context.Context, tx *sqlx.Tx, auction int64) error {
	var n int
	if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM lots WHERE auction_id = $1`, auction); err != nil {
		return err
	}
	if n == 0 {
		return sc.FieldErrorf("auction", sc.ELOTSTATE, "the auction has no lot yet")
	}
	return nil
}

// OpenAuction implements secondchance.AuctionService. A TIMED auction opens every lot, each with
// its scheduled end (the auction's end plus its stagger) and its cap, and queues its closing.
func (db *DB) OpenAuction(ctx context.Context, id int64) (*sc.Auction, error) {
	return db.changeAuction(ctx, id, func(tx *sqlx.Tx, au *sc.Auction) error {
		return db.openAuction(ctx, tx, au)
	})
}

func (db *DB) openAuction(ctx context.Context, tx *sqlx.Tx, au *sc.Auction) error {
	if !au.Openable() {
		return sc.FieldErrorf("auction", sc.ELOTSTATE, "the auction is %s; only a DRAFT or SCHEDULED auction opens", au.Status)
	}
	if err := needLots(ctx, tx, au.ID); err != nil {
		return err
	}
	now := db.Now()
	if au.Kind == sc.AuctionTimed && !au.EndsAt.After(now) {
		return sc.FieldErrorf("auction", sc.ELOTSTATE, "the auction's end has passed; it cannot open")
	}
	if err := tx.GetContext(ctx, au, `UPDATE auctions a SET status = 'OPEN', opened_at = $2 WHERE a.id = $1 RETURNING `+auctionColumns,
		au.ID, now); err != nil {
		return err
	}
	if au.Kind != sc.AuctionTimed {
		return nil
	}
	t, version, err := storeIncrements(ctx, tx, au.StoreID)
	if err != nil {
		return err
	}
	steps, err := json.Marshal(t)
	if err != nil {
		return err
	}
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, `SELECT id FROM lots WHERE auction_id = $1 ORDER BY number FOR UPDATE`, au.ID); err != nil {
		return err
	}
	ends := sc.LotEnds(*au.EndsAt, au.Stagger(), len(ids))
	caps := make([]time.Time, len(ends))
	for i, e := range ends {
		caps[i] = e.Add(au.ExtensionCap())
	}
	// One statement opens every lot with its OPENED event, whatever the number of lots.
	if _, err := tx.ExecContext(ctx, `WITH o AS (
			UPDATE lots l SET status = 'OPEN', opened_at = $2, increments = $3::jsonb, increments_version = $4,
				scheduled_end = x.e, ends_at = x.e, cap_at = x.c, seq = l.seq + 1
			FROM unnest($1::bigint[], $5::timestamptz[], $6::timestamptz[]) AS x(id, e, c)
			WHERE l.id = x.id RETURNING l.id, l.seq, l.ends_at)
		INSERT INTO lot_events (lot_id, seq, kind, at, price_cents, ends_at) SELECT o.id, o.seq, 'OPENED', $2, 0, o.ends_at FROM o`,
		pq.Array(ids), now, string(steps), version, pq.Array(ends), pq.Array(caps)); err != nil {
		return err
	}
	if db.AfterLotsOpened != nil {
		return db.AfterLotsOpened(ctx, tx.Tx, ids, ends)
	}
	return nil
}

// OpenDueAuction opens a SCHEDULED auction whose start has come (the opening job); one opened
// by hand or cancelled meanwhile is left as it is.
func (db *DB) OpenDueAuction(ctx context.Context, id int64) error {
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var au sc.Auction
		if err := tx.GetContext(ctx, &au, `SELECT `+auctionColumns+` FROM auctions a WHERE a.id = $1 FOR UPDATE`, id); err != nil {
			return err
		}
		if au.Status != sc.AuctionScheduled {
			return nil // opened by hand, or cancelled
		}
		return db.openAuction(ctx, tx, &au)
	})
	if errors.Is(err, sql.ErrNoRows) || sc.ErrorCode(err) == sc.ENOTFOUND {
		return nil
	}
	return err
}

// CancelAuction implements secondchance.AuctionService.
func (db *DB) CancelAuction(ctx context.Context, id int64) (*sc.Auction, error) {
	return db.changeAuction(ctx, id, func(tx *sqlx.Tx, au *sc.Auction) error {
		if !au.Cancellable() {
			return sc.FieldErrorf("auction", sc.ELOTSTATE, "the auction is %s; it can no longer be cancelled", au.Status)
		}
		var bids int
		if err := tx.GetContext(ctx, &bids, `SELECT count(*) FROM bids b JOIN lots l ON l.id = b.lot_id WHERE l.auction_id = $1`, au.ID); err != nil {
			return err
		}
		if bids > 0 {
			return sc.FieldErrorf("auction", sc.ELOTSTATE, "the auction has bids; close it instead")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE lot_items li SET live = false FROM lots l WHERE l.id = li.lot_id AND l.auction_id = $1`, au.ID); err != nil {
			return err
		}
		// Its lots end unsold, each with its event, so they can be relisted and no closing job
		// or clerk takes them up again.
		now := db.Now()
		if _, err := tx.ExecContext(ctx, `WITH u AS (
				UPDATE lots SET status = 'UNSOLD', unsold_reason = 'NO_BIDS', closed_at = $2, seq = seq + 1
				WHERE auction_id = $1 AND status IN ('PENDING', 'OPEN') RETURNING id, seq, ends_at)
			INSERT INTO lot_events (lot_id, seq, kind, at, price_cents, ends_at, detail)
			SELECT u.id, u.seq, 'UNSOLD', $2, 0, u.ends_at, 'the auction was cancelled' FROM u`, au.ID, now); err != nil {
			return err
		}
		return tx.GetContext(ctx, au, `UPDATE auctions a SET status = 'CANCELLED', closed_at = $2 WHERE a.id = $1 RETURNING `+auctionColumns, au.ID, now)
	})
}

func (db *DB) changeAuction(ctx context.Context, id int64, fn func(tx *sqlx.Tx, au *sc.Auction) error) (*sc.Auction, error) {
	a, err := sc.RequireRole(ctx, sc.RoleStaff)
	if err != nil {
		return nil, err
	}
	var au *sc.Auction
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		if au, err = staffAuction(ctx, tx, a, id, "auction"); err != nil {
			return err
		}
		return fn(tx, au)
	})
	if err != nil {
		return nil, err
	}
	return au, nil
}

// AddLot implements secondchance.AuctionService.
func (db *DB) AddLot(ctx context.Context, auction int64, in sc.LotInput) (*sc.Lot, error) {
	a, err := sc.RequireRole(ctx, sc.RoleStaff)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var lot *sc.Lot
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		au, err := staffAuction(ctx, tx, a, auction, "auction")
		if err != nil {
			return err
		}
		if !au.TakesLots() {
			return sc.FieldErrorf("auction", sc.ELOTSTATE, "the auction is %s; lots are added before it opens (or while a LIVE sale runs)", au.Status)
		}
		lot, err = db.insertLot(ctx, tx, a, au, in, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	return lot, nil
}

func (db *DB) insertLot(ctx context.Context, tx *sqlx.Tx, a *sc.Actor, au *sc.Auction, in sc.LotInput, relisted *int64) (*sc.Lot, error) {
	est, start, reserve := lotMoney(in)
	var id int64
	if err := tx.GetContext(ctx, &id, `INSERT INTO lots (auction_id, number, title, description, currency, estimate_cents,
			starting_cents, reserve_cents, relisted_from, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		au.ID, in.Number, in.Title, in.Description, sc.DefaultCurrency, est, start, reserve, relisted, db.Now()); err != nil {
		return nil, err
	}
	if err := putLotItems(ctx, tx, a, id, in.Items, in.ItemEstimateCents()); err != nil {
		return nil, err
	}
	return lotByID(ctx, tx, id)
}

// lotMoney returns the validated input's estimate, starting bid and reserve (0: none) in cents.
func lotMoney(in sc.LotInput) (est, start, reserve int64) {
	e, _ := sc.ParseMoney(in.Estimate.Amount, in.Estimate.Currency)
	s, _ := sc.ParseMoney(in.StartingBid.Amount, in.StartingBid.Currency)
	if in.Reserve != nil {
		r, _ := sc.ParseMoney(in.Reserve.Amount, in.Reserve.Currency)
		reserve = r.Cents
	}
	return e.Cents, s.Cents, reserve
}

// putLotItems checks and adds the items of a lot: the store's own, routed AUCTION, listed, and
// in no other live lot (the partial unique index answers a race between two lots).
func putLotItems(ctx context.Context, tx *sqlx.Tx, a *sc.Actor, lot int64, items, estimates []int64) error {
	var rows []struct {
		ID     int64         `db:"id"`
		Route  *sc.Route     `db:"route"`
		Status sc.ItemStatus `db:"status"`
		Lot    *int64        `db:"lot_id"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT i.id, i.route, i.status,
			(SELECT li.lot_id FROM lot_items li WHERE li.item_id = i.id AND li.live AND li.lot_id <> $3) AS lot_id
		FROM returned_items i JOIN parcels p ON p.id = i.parcel_id
		WHERE i.id = ANY($1) AND p.store_id = $2 FOR UPDATE OF i`, pq.Array(items), a.StoreID, lot); err != nil {
		return err
	}
	found := byID(items, ptrs(rows), func(r *struct {
		ID     int64         `db:"id"`
		Route  *sc.Route     `db:"route"`
		Status sc.ItemStatus `db:"status"`
		Lot    *int64        `db:"lot_id"`
	}) int64 {
		return r.ID
	})
	var errs sc.Errors
	for i, r := range found {
		field := itemField(i)
		switch {
		case r == nil:
			errs = append(errs, sc.FieldErrorf(field, sc.ENOTFOUND, "no item of this store with this ID"))
		case r.Route == nil || *r.Route != sc.RouteAuction:
			errs = append(errs, sc.FieldErrorf(field, sc.EITEMSTATE, "the item is routed to %s; only an item routed to AUCTION goes into a lot", routeName(r.Route)))
		case r.Status != sc.ItemListed:
			errs = append(errs, sc.FieldErrorf(field, sc.EITEMSTATE, "the item is %s; only a LISTED item goes into a lot", r.Status))
		case r.Lot != nil:
			errs = append(errs, sc.FieldErrorf(field, sc.EITEMSTATE, "the item is in lot %s already", sc.GlobalID(sc.KindLot, *r.Lot)))
		}
	}
	if err := errs.Err(); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM lot_items WHERE lot_id = $1`, lot); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO lot_items (lot_id, item_id, position, estimate_cents)
		SELECT $1, x.id, x.n, x.e FROM unnest($2::bigint[], $3::bigint[]) WITH ORDINALITY AS x(id, e, n)`, lot, pq.Array(items), pq.Array(estimates))
	return err
}

func itemField(i int) string { return "items." + strconv.Itoa(i) + ".item" }

func ptrs[T any](rows []T) []*T {
	out := make([]*T, len(rows))
	for i := range rows {
		out[i] = &rows[i]
	}
	return out
}

// UpdateLot implements secondchance.AuctionService.
func (db *DB) UpdateLot(ctx context.Context, id int64, in sc.LotInput) (*sc.Lot, error) {
	a, err := sc.RequireRole(ctx, sc.RoleStaff)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var lot *sc.Lot
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		l, _, err := lockLot(ctx, tx, &a.StoreID, id, "lot")
		if err != nil {
			return err
		}
		if l.BidCount > 0 || l.Seq > 0 && l.Status != sc.LotPending {
			return sc.FieldErrorf("lot", sc.ELOTSTATE, "the lot has bids or has opened; its terms can no longer change")
		}
		if l.Status != sc.LotPending {
			return sc.FieldErrorf("lot", sc.ELOTSTATE, "the lot is %s; only a PENDING lot is edited", l.Status)
		}
		est, start, reserve := lotMoney(in)
		if _, err := tx.ExecContext(ctx, `UPDATE lots SET number = $2, title = $3, description = $4, estimate_cents = $5,
				starting_cents = $6, reserve_cents = $7 WHERE id = $1`, id, in.Number, in.Title, in.Description, est, start, reserve); err != nil {
			return err
		}
		if err := putLotItems(ctx, tx, a, id, in.Items, in.ItemEstimateCents()); err != nil {
			return err
		}
		lot, err = lotByID(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return lot, nil
}

// RelistLot implements secondchance.AuctionService.
func (db *DB) RelistLot(ctx context.Context, id, auction int64, number int) (*sc.Lot, error) {
	a, err := sc.RequireRole(ctx, sc.RoleStaff)
	if err != nil {
		return nil, err
	}
	if number < 1 {
		return nil, sc.FieldErrorf("number", sc.EINVALID, "a lot number is 1 or more")
	}
	var lot *sc.Lot
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		old, _, err := lockLot(ctx, tx, &a.StoreID, id, "lot")
		if err != nil {
			return err
		}
		if !old.Relistable() {
			return sc.FieldErrorf("lot", sc.ELOTSTATE, "the lot is %s; only an UNSOLD or UNPAID lot is relisted", old.Status)
		}
		au, err := staffAuction(ctx, tx, a, auction, "auction")
		if err != nil {
			return err
		}
		if !au.TakesLots() {
			return sc.FieldErrorf("auction", sc.ELOTSTATE, "the auction is %s; lots are added before it opens (or while a LIVE sale runs)", au.Status)
		}
		var items []struct {
			ID       int64 `db:"item_id"`
			Estimate int64 `db:"estimate_cents"`
		}
		if err := tx.SelectContext(ctx, &items, `SELECT item_id, estimate_cents FROM lot_items WHERE lot_id = $1 ORDER BY position`, old.ID); err != nil {
			return err
		}
		in := sc.LotInput{Number: number, Title: old.Title, Description: old.Description,
			Estimate:    sc.MoneyInput{Amount: old.Estimate().Amount(), Currency: old.Currency},
			StartingBid: sc.MoneyInput{Amount: old.StartingBid().Amount(), Currency: old.Currency}}
		if r := old.Reserve(); r != nil {
			in.Reserve = &sc.MoneyInput{Amount: r.Amount(), Currency: r.Currency}
		}
		for _, it := range items {
			in.Items = append(in.Items, it.ID)
			in.ItemEstimates = append(in.ItemEstimates, sc.MoneyInput{Amount: sc.USD(it.Estimate).Amount(), Currency: old.Currency})
		}
		lot, err = db.insertLot(ctx, tx, a, au, in, &old.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return lot, nil
}

func lotByID(ctx context.Context, q sqlx.QueryerContext, id int64) (*sc.Lot, error) {
	var l sc.Lot
	err := sqlx.GetContext(ctx, q, &l, `SELECT `+lotColumns+` FROM lots l JOIN auctions a ON a.id = l.auction_id WHERE l.id = $1`, id)
	return &l, err
}

// RegisterBidder implements secondchance.AuctionService.
func (db *DB) RegisterBidder(ctx context.Context, in sc.BidderInput) (*sc.Bidder, error) {
	a, err := sc.RequireRole(ctx, sc.RoleStaff)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var b sc.Bidder
	ad := in.Address
	err = db.GetContext(ctx, &b, `INSERT INTO bidders AS b (store_id, name, email, phone, address_line1, address_line2, city,
			region, postal_code, country, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING `+bidderColumns,
		a.StoreID, in.Name, in.Email, in.Phone, ad.Line1, ad.Line2, ad.City, ad.Region, ad.PostalCode, ad.Country, db.Now())
	if err != nil {
		return nil, mapError(err)
	}
	return &b, nil
}

// SetBidderBlocked implements secondchance.AuctionService.
func (db *DB) SetBidderBlocked(ctx context.Context, id int64, blocked bool, reason string) (*sc.Bidder, error) {
	a, err := sc.RequireRole(ctx, sc.RoleStaff)
	if err != nil {
		return nil, err
	}
	if blocked {
		if err := checkReason(reason); err != nil {
			return nil, err
		}
	}
	var b sc.Bidder
	err = db.GetContext(ctx, &b, `UPDATE bidders b SET blocked_at = CASE WHEN $3 THEN coalesce(b.blocked_at, $4) END,
			block_reason = CASE WHEN $3 THEN $5 ELSE '' END,
			unpaid_strikes = CASE WHEN $3 THEN b.unpaid_strikes ELSE 0 END
		WHERE b.id = $1 AND b.store_id = $2 RETURNING `+bidderColumns, id, a.StoreID, blocked, db.Now(), reason)
	if err != nil {
		return nil, notFound(err, "bidder", "no bidder of this store with this ID")
	}
	return &b, nil
}

// AssignPaddle implements secondchance.AuctionService: paddles are numbered from 100 in the
// order bidders register for the auction; asking again returns the bidder's paddle.
func (db *DB) AssignPaddle(ctx context.Context, auction, bidder int64) (*sc.Paddle, error) {
	a, err := sc.RequireRole(ctx, sc.RoleStaff)
	if err != nil {
		return nil, err
	}
	var p sc.Paddle
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		au, err := staffAuction(ctx, tx, a, auction, "auction")
		if err != nil {
			return err
		}
		switch au.Status {
		case sc.AuctionClosed, sc.AuctionSettled, sc.AuctionCancelled:
			return sc.FieldErrorf("auction", sc.ELOTSTATE, "the auction is %s; it takes no more bidders", au.Status)
		}
		var ok bool
		if err := tx.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM bidders WHERE id = $1 AND store_id = $2)`, bidder, a.StoreID); err != nil {
			return err
		}
		if !ok {
			return sc.FieldErrorf("bidder", sc.ENOTFOUND, "no bidder of this store with this ID")
		}
		// The auction's row lock (staffAuction) serialises the numbering.
		return tx.GetContext(ctx, &p, `WITH have AS (SELECT auction_id, number, bidder_id FROM paddles WHERE auction_id = $1 AND bidder_id = $2),
			ins AS (INSERT INTO paddles (auction_id, number, bidder_id)
				SELECT $1, coalesce((SELECT max(number) + 1 FROM paddles WHERE auction_id = $1), 100), $2
				WHERE NOT EXISTS (SELECT 1 FROM have) RETURNING auction_id, number, bidder_id)
			SELECT * FROM have UNION ALL SELECT * FROM ins`, au.ID, bidder)
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// SetIncrementTable implements secondchance.AuctionService: a staff token or a store manager
// adds a version of their own store's table.
func (db *DB) SetIncrementTable(ctx context.Context, t sc.IncrementTable) (int, error) {
	a, err := requireStoreSettings(ctx)
	if err != nil {
		return 0, err
	}
	if err := t.Validate(); err != nil {
		return 0, err
	}
	steps, err := json.Marshal(t)
	if err != nil {
		return 0, err
	}
	var v int
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		// The store's row lock numbers the versions one after the other.
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM stores WHERE id = $1 FOR UPDATE`, a.StoreID); err != nil {
			return err
		}
		return tx.GetContext(ctx, &v, `INSERT INTO increment_tables (store_id, version, steps, created_at)
			SELECT $1, coalesce(max(version), 0) + 1, $2::jsonb, $3 FROM increment_tables WHERE store_id = $1 RETURNING version`,
			a.StoreID, string(steps), db.Now())
	})
	return v, err
}

// IncrementTable implements secondchance.AuctionService.
func (db *DB) IncrementTable(ctx context.Context, store int64) (sc.IncrementTable, int, error) {
	sp, err := storeScope(ctx)
	if err != nil {
		return nil, 0, err
	}
	if sp != nil && *sp != store {
		return nil, 0, sc.Errorf(sc.EFORBIDDEN, "staff see their own store's increment table only")
	}
	t, v, err := storeIncrements(ctx, db, store)
	return t, v, mapError(err)
}

func storeIncrements(ctx context.Context, q sqlx.QueryerContext, store int64) (sc.IncrementTable, int, error) {
	var row struct {
		Version int    `db:"version"`
		Steps   []byte `db:"steps"`
	}
	err := sqlx.GetContext(ctx, q, &row, `SELECT version, steps FROM increment_tables WHERE store_id = $1 ORDER BY version DESC LIMIT 1`, store)
	if errors.Is(err, sql.ErrNoRows) {
		return sc.DefaultIncrementTable(), 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	var t sc.IncrementTable
	if err := json.Unmarshal(row.Steps, &t); err != nil {
		return nil, 0, err
	}
	return t, row.Version, nil
}

// Auctions implements secondchance.AuctionService: the store's auctions, newest first.
func (db *DB) Auctions(ctx context.Context, status *sc.AuctionStatus, page sc.PageArgs) (*sc.Page[*sc.Auction], error) {
	sp, err := storeScope(ctx)
	if err != nil {
		return nil, err
	}
	limit, afterID, err := idPage(listAuctions, page)
	if err != nil {
		return nil, err
	}
	cond := `($1::bigint IS NULL OR a.store_id = $1) AND ($2::text IS NULL OR a.status = $2)`
	var rows []*sc.Auction
	if err := db.SelectContext(ctx, &rows, `SELECT `+auctionColumns+` FROM auctions a WHERE `+cond+`
		AND ($3::bigint IS NULL OR a.id < $3) ORDER BY a.id DESC LIMIT $4`, sp, status, afterID, limit+1); err != nil {
		return nil, mapError(err)
	}
	return newPage(rows, limit, page.After, func(a *sc.Auction) string { return idCursor(listAuctions, a.ID) },
		db.countFunc(`SELECT count(*) FROM auctions a WHERE `+cond, sp, status)), nil
}

// AuctionsByID implements secondchance.AuctionService.
func (db *DB) AuctionsByID(ctx context.Context, ids []int64) ([]*sc.Auction, error) {
	sp, err := storeScope(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*sc.Auction
	if err := db.SelectContext(ctx, &rows, `SELECT `+auctionColumns+` FROM auctions a WHERE a.id = ANY($1) AND ($2::bigint IS NULL OR a.store_id = $2)`,
		pq.Array(ids), sp); err != nil {
		return nil, mapError(err)
	}
	return byID(ids, rows, func(a *sc.Auction) int64 { return a.ID }), nil
}

// Lots implements secondchance.AuctionService: an auction's lots by number.
func (db *DB) Lots(ctx context.Context, auction int64, page sc.PageArgs) (*sc.Page[*sc.Lot], error) {
	sp, err := storeScope(ctx)
	if err != nil {
		return nil, err
	}
	limit, afterID, err := idPage(listLots, page) // the keyset is the lot number
	if err != nil {
		return nil, err
	}
	cond := `l.auction_id = $1 AND ($2::bigint IS NULL OR a.store_id = $2)`
	var rows []*sc.Lot
	if err := db.SelectContext(ctx, &rows, `SELECT `+lotColumns+` FROM lots l JOIN auctions a ON a.id = l.auction_id WHERE `+cond+`
		AND ($3::bigint IS NULL OR l.number > $3) ORDER BY l.number LIMIT $4`, auction, sp, afterID, limit+1); err != nil {
		return nil, mapError(err)
	}
	return newPage(rows, limit, page.After, func(l *sc.Lot) string { return idCursor(listLots, int64(l.Number)) },
		db.countFunc(`SELECT count(*) FROM lots l JOIN auctions a ON a.id = l.auction_id WHERE `+cond, auction, sp)), nil
}

// LotsByID implements secondchance.AuctionService.
func (db *DB) LotsByID(ctx context.Context, ids []int64) ([]*sc.Lot, error) {
	sp, err := storeScope(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*sc.Lot
	if err := db.SelectContext(ctx, &rows, `SELECT `+lotColumns+` FROM lots l JOIN auctions a ON a.id = l.auction_id
		WHERE l.id = ANY($1) AND ($2::bigint IS NULL OR a.store_id = $2)`, pq.Array(ids), sp); err != nil {
		return nil, mapError(err)
	}
	return byID(ids, rows, func(l *sc.Lot) int64 { return l.ID }), nil
}

// LotItems implements secondchance.AuctionService.
func (db *DB) LotItems(ctx context.Context, lotIDs []int64) ([][]*sc.ReturnedItem, error) {
	sp, err := storeScope(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*struct {
		LotID int64 `db:"lot_id"`
		sc.ReturnedItem
	}
	if err := db.SelectContext(ctx, &rows, `SELECT li.lot_id, `+itemColumns+` FROM lot_items li
		JOIN returned_items i ON i.id = li.item_id JOIN parcels p ON p.id = i.parcel_id
		WHERE li.lot_id = ANY($1) AND ($2::bigint IS NULL OR p.store_id = $2) ORDER BY li.lot_id, li.position`, pq.Array(lotIDs), sp); err != nil {
		return nil, mapError(err)
	}
	grouped := groupByID(lotIDs, rows, func(r *struct {
		LotID int64 `db:"lot_id"`
		sc.ReturnedItem
	}) int64 {
		return r.LotID
	})
	out := make([][]*sc.ReturnedItem, len(grouped))
	for i, g := range grouped {
		out[i] = make([]*sc.ReturnedItem, len(g))
		for j, r := range g {
			it := r.ReturnedItem
			out[i][j] = &it
		}
	}
	return out, nil
}

// Bidders implements secondchance.AuctionService: the store's bidders by registration.
func (db *DB) Bidders(ctx context.Context, page sc.PageArgs) (*sc.Page[*sc.Bidder], error) {
	sp, err := storeScope(ctx)
	if err != nil {
		return nil, err
	}
	limit, afterID, err := idPage(listBidders, page)
	if err != nil {
		return nil, err
	}
	cond := `($1::bigint IS NULL OR b.store_id = $1)`
	var rows []*sc.Bidder
	if err := db.SelectContext(ctx, &rows, `SELECT `+bidderColumns+` FROM bidders b WHERE `+cond+`
		AND ($2::bigint IS NULL OR b.id > $2) ORDER BY b.id LIMIT $3`, sp, afterID, limit+1); err != nil {
		return nil, mapError(err)
	}
	return newPage(rows, limit, page.After, func(b *sc.Bidder) string { return idCursor(listBidders, b.ID) },
		db.countFunc(`SELECT count(*) FROM bidders b WHERE `+cond, sp)), nil
}

// BiddersByID implements secondchance.AuctionService.
func (db *DB) BiddersByID(ctx context.Context, ids []int64) ([]*sc.Bidder, error) {
	sp, err := storeScope(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*sc.Bidder
	if err := db.SelectContext(ctx, &rows, `SELECT `+bidderColumns+` FROM bidders b WHERE b.id = ANY($1) AND ($2::bigint IS NULL OR b.store_id = $2)`,
		pq.Array(ids), sp); err != nil {
		return nil, mapError(err)
	}
	return byID(ids, rows, func(b *sc.Bidder) int64 { return b.ID }), nil
}

// PaddlesOf implements secondchance.AuctionService.
func (db *DB) PaddlesOf(ctx context.Context, auction int64, bidderIDs []int64) ([]*sc.Paddle, error) {
	sp, err := storeScope(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*sc.Paddle
	if err := db.SelectContext(ctx, &rows, `SELECT p.auction_id, p.number, p.bidder_id FROM paddles p JOIN auctions a ON a.id = p.auction_id
		WHERE p.auction_id = $1 AND p.bidder_id = ANY($2) AND ($3::bigint IS NULL OR a.store_id = $3)`, auction, pq.Array(bidderIDs), sp); err != nil {
		return nil, mapError(err)
	}
	return byID(bidderIDs, rows, func(p *sc.Paddle) int64 { return p.BidderID }), nil
}

// AuctionableItems implements secondchance.AuctionService: the items of the staff's store that
// putLotItems would take, so the portal's lot form offers nothing it would refuse.
func (db *DB) AuctionableItems(ctx context.Context, page sc.PageArgs) (*sc.Page[*sc.ReturnedItem], error) {
	sp, err := storeScope(ctx)
	if err != nil {
		return nil, err
	}
	limit, afterID, err := idPage(listAuctionableItems, page)
	if err != nil {
		return nil, err
	}
	cond := `i.status = 'LISTED' AND i.route = 'AUCTION' AND ($1::bigint IS NULL OR i.store_id = $1)
		AND NOT EXISTS (SELECT 1 FROM lot_items li WHERE li.item_id = i.id AND li.live)`
	var rows []*sc.ReturnedItem
	if err := db.SelectContext(ctx, &rows, `SELECT `+itemColumns+` FROM returned_items i WHERE `+cond+`
		AND ($2::bigint IS NULL OR i.id > $2) ORDER BY i.id LIMIT $3`, sp, afterID, limit+1); err != nil {
		return nil, mapError(err)
	}
	return newPage(rows, limit, page.After, func(i *sc.ReturnedItem) string { return idCursor(listAuctionableItems, i.ID) },
		db.countFunc(`SELECT count(*) FROM returned_items i WHERE `+cond, sp)), nil
}

// AuctionQueues implements secondchance.AuctionService in one statement. A lot's end is its
// current end once open (a late bid may have moved it), its scheduled end before.
func (db *DB) AuctionQueues(ctx context.Context, from, to time.Time) (*sc.AuctionQueues, error) {
	sp, err := storeScope(ctx)
	if err != nil {
		return nil, err
	}
	var q sc.AuctionQueues
	if err := db.GetContext(ctx, &q, `SELECT
			count(*) FILTER (WHERE l.status IN ('PENDING', 'OPEN') AND a.status IN ('SCHEDULED', 'OPEN')
				AND coalesce(l.ends_at, l.scheduled_end) >= $2 AND coalesce(l.ends_at, l.scheduled_end) < $3) AS closing_lots,
			count(*) FILTER (WHERE l.status = 'SOLD') AS awaiting_payment,
			count(*) FILTER (WHERE l.status = 'UNPAID') AS unpaid
		FROM lots l JOIN auctions a ON a.id = l.auction_id
		WHERE ($1::bigint IS NULL OR a.store_id = $1) AND l.status IN ('PENDING', 'OPEN', 'SOLD', 'UNPAID')`, sp, from, to); err != nil {
		return nil, mapError(err)
	}
	return &q, nil
}
