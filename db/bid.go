package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	sc "github.com/secondchance/secondchance"
)

// LotEventsChannel is the PostgreSQL notification channel of lot events. A payload is
// "<lot id>:<sequence>": only a wake-up; listeners read the events from lot_events.
const LotEventsChannel = "lot_events"

var bidColumns = `b.id, b.lot_id, b.seq, b.bidder_id, p.number AS paddle, b.kind, b.cents, l.currency, b.placed_at,
	b.retracted_at, b.retract_reason, ` + recorder("b.created_by", "b.created_by_staff") + ` AS logged_by`

const bidFrom = `bids b JOIN lots l ON l.id = b.lot_id JOIN auctions a ON a.id = l.auction_id
	JOIN paddles p ON p.auction_id = l.auction_id AND p.bidder_id = b.bidder_id`

// event is one lot event to write with the lot's state after it.
type event struct {
	kind   sc.LotEventKind
	newBid bool // the event names the bid saveLotWithBid inserts
	bid    *int64
	bidder *int64
	amount *int64
	detail string
}

// newBid is a bid saveLotWithBid inserts; id is set once it did.
type newBid struct {
	seq       int64
	bidder    *int64
	kind      sc.BidKind
	cents     int64
	key       string
	createdBy *int64
	// createdByStaff is the clerk of a portal session.
	createdByStaff *int64
	id             *int64
	loggedBy       string // read back: who the creator columns name
}

// saveLot writes the lot's state and its new events, numbered from the lot's sequence, in one
// statement, and wakes the lot's watchers when the transaction commits.
func saveLot(ctx context.Context, tx *sqlx.Tx, l *sc.Lot, at time.Time, events ...event) error {
	return saveLotWithBid(ctx, tx, l, at, nil, events...)
}

// saveLotWithBid is saveLot that also inserts a new bid (key, creator) in the same statement,
// so a bid holds its lot's lock for one statement fewer; events with newBid set name it.
func saveLotWithBid(ctx context.Context, tx *sqlx.Tx, l *sc.Lot, at time.Time, nb *newBid, events ...event) error {
	n := len(events)
	kinds, bids, bidders, amounts, details := make([]string, n), make([]*int64, n), make([]*int64, n), make([]*int64, n), make([]string, n)
	isNew := make([]bool, n)
	for i, e := range events {
		kinds[i], bids[i], bidders[i], amounts[i], details[i], isNew[i] = string(e.kind), e.bid, e.bidder, e.amount, e.detail, e.newBid
	}
	if nb == nil {
		nb = &newBid{}
	}
	first := l.Seq + 1
	l.Seq += int64(n)
	// One statement writes the state and the events, and reads back the paddles of the leader
	// and winner the state names.
	err := tx.QueryRowxContext(ctx, `WITH b AS (
			INSERT INTO bids (lot_id, seq, bidder_id, kind, cents, idempotency_key, placed_at, created_by, created_by_staff)
			SELECT $1, $23, $24, $25, $26, $27, $17, $28, $30 WHERE $24::bigint IS NOT NULL RETURNING id),
		u AS (
			UPDATE lots SET seq = $2, price_cents = $3, leader_bidder_id = $4, leader_max_cents = $5, leader_seq = $6,
				bid_count = $7, ends_at = $8, status = $9, unsold_reason = $10, closed_at = $11, winner_bidder_id = $12,
				hammer_cents = $13, due_at = $14, opened_at = $15
			WHERE id = $1 RETURNING id, auction_id, leader_bidder_id, winner_bidder_id),
		e AS (INSERT INTO lot_events (lot_id, seq, kind, at, bid_id, bidder_id, amount_cents, price_cents, leader_bidder_id, ends_at, detail)
			SELECT u.id, $16 + x.n - 1, x.kind, $17, CASE WHEN x.new THEN (SELECT id FROM b) ELSE x.bid END, x.bidder, x.amount, $3, $4, $8, x.detail
			FROM u, unnest($18::text[], $19::bigint[], $20::bigint[], $21::bigint[], $22::text[], $29::boolean[])
				WITH ORDINALITY AS x(kind, bid, bidder, amount, detail, new, n))
		SELECT (SELECT number FROM paddles p WHERE p.auction_id = u.auction_id AND p.bidder_id = u.leader_bidder_id),
			(SELECT number FROM paddles p WHERE p.auction_id = u.auction_id AND p.bidder_id = u.winner_bidder_id),
			(SELECT id FROM b), `+recorder("$28::bigint", "$30::bigint")+` FROM u`,
		l.ID, l.Seq, l.PriceCents, l.LeaderBidderID, l.LeaderMaxCents, l.LeaderSeq, l.BidCount, l.EndsAt, l.Status,
		l.UnsoldReason, l.ClosedAt, l.WinnerBidderID, l.HammerCents, l.DueAt, l.OpenedAt,
		first, at, pq.Array(kinds), pq.Array(bids), pq.Array(bidders), pq.Array(amounts), pq.Array(details),
		nb.seq, nb.bidder, nb.kind, nb.cents, nb.key, nb.createdBy, pq.Array(isNew), nb.createdByStaff).Scan(&l.LeaderPaddle, &l.WinnerPaddle, &nb.id, &nb.loggedBy)
	if err != nil {
		return err
	}
	queueNotice(tx, strconv.FormatInt(l.ID, 10)+":"+strconv.FormatInt(l.Seq, 10))
	return nil
}

// pendingNotices are the wake-ups of each open transaction, sent by inTx once it commits.
var pendingNotices sync.Map // *sqlx.Tx → []string

func queueNotice(tx *sqlx.Tx, payload string) {
	old, _ := pendingNotices.Load(tx)
	list, _ := old.([]string)
	pendingNotices.Store(tx, append(list, payload))
}

// sendNotices wakes the lots' watchers after tx committed. A NOTIFY inside the transaction held
// PostgreSQL's one notification-queue lock from before the commit until its WAL was flushed,
// so every bid and close of every lot committed one at a time, one fsync each (waits on
// "Lock object" at COMMIT): about 100 commits/s on this machine. Sent after the commit, in a
// transaction of its own that need not be durable (a wake-up lost in a crash is lost anyway),
// the bids' commits flush together again. A crash between the commit and this leaves watchers
// on other replicas asleep until the lot's next event or their listener's reconnection.
func (db *DB) sendNotices(tx *sqlx.Tx) {
	v, ok := pendingNotices.LoadAndDelete(tx)
	if !ok {
		return
	}
	err := func() error {
		ntx, err := db.Beginx()
		if err != nil {
			return err
		}
		defer ntx.Rollback()
		if _, err := ntx.Exec(`SELECT set_config('synchronous_commit', 'off', true), pg_notify($1, x) FROM unnest($2::text[]) AS x`,
			LotEventsChannel, pq.Array(v.([]string))); err != nil {
			return err
		}
		return ntx.Commit()
	}()
	if err != nil {
		slog.Warn("lot events: a wake-up was not sent", "err", err)
	}
}

// PlaceBid implements secondchance.AuctionService. The lot's row lock serialises its bids: the
// idempotency key, the paddle, the lot's state and its end are all read under it, and the bid,
// its events and the new state are written before it is released.
func (db *DB) PlaceBid(ctx context.Context, in sc.BidInput) (*sc.BidResult, error) {
	a, err := sc.RequireRole(ctx, sc.RoleStaff)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	amount, _ := sc.ParseMoney(in.Amount.Amount, in.Amount.Currency) // validated
	var res sc.BidResult
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		lot, au, err := lockLot(ctx, tx, &a.StoreID, in.Lot, "lot")
		if err != nil {
			return err
		}
		// One statement under the lock: the key's first bid, if any (read after the lock, so a
		// retry that waited for it sees the bid it waited on), and the paddle's bidder.
		var look struct {
			Prior   *int64     `db:"prior"`
			Bidder  *int64     `db:"bidder"`
			Blocked *time.Time `db:"blocked_at"`
		}
		if err := tx.GetContext(ctx, &look, `SELECT (SELECT id FROM bids WHERE lot_id = $1 AND idempotency_key = $2) AS prior,
				b.id AS bidder, b.blocked_at
			FROM (SELECT 1) one LEFT JOIN paddles p ON p.auction_id = $3 AND p.number = $4 LEFT JOIN bidders b ON b.id = p.bidder_id`,
			lot.ID, in.IdempotencyKey, lot.AuctionID, in.Paddle); err != nil {
			return err
		}
		if look.Prior != nil {
			var b sc.Bid
			if err := tx.GetContext(ctx, &b, `SELECT `+bidColumns+` FROM `+bidFrom+` WHERE b.id = $1`, *look.Prior); err != nil {
				return err
			}
			if b.Paddle != in.Paddle || b.Kind != in.Kind || b.Cents != amount.Cents {
				return sc.FieldErrorf("idempotencyKey", sc.ECONFLICT, "this key was used for another bid (paddle %d, %s %s)", b.Paddle, b.Kind, b.Amount())
			}
			res = sc.BidResult{Bid: &b, Lot: lot, Replayed: true}
			return nil
		}
		now := db.Now()
		if au.Status != sc.AuctionOpen {
			return sc.FieldErrorf("lot", sc.ELOTSTATE, "the auction is %s; bids are taken while it is OPEN", au.Status)
		}
		if lot.Status != sc.LotOpen {
			return sc.FieldErrorf("lot", sc.ELOTSTATE, "the lot is %s; bids are taken while it is OPEN", lot.Status)
		}
		if au.Kind == sc.AuctionTimed && !now.Before(*lot.EndsAt) {
			return sc.FieldErrorf("lot", sc.ELOTSTATE, "the lot ended at %s", lot.EndsAt.UTC().Format(time.RFC3339))
		}
		if amount.Currency != lot.Currency {
			return sc.FieldErrorf("amount.currency", sc.EINVALID, "the lot is sold in %s", lot.Currency)
		}
		if look.Bidder == nil {
			return sc.FieldErrorf("paddle", sc.ENOTFOUND, "no paddle %d in this auction", in.Paddle)
		}
		bidder := struct{ ID int64 }{*look.Bidder}
		if look.Blocked != nil {
			return sc.FieldErrorf("paddle", sc.EBIDDERBLOCKED, "paddle %d's bidder is blocked from bidding", in.Paddle)
		}
		terms := lot.Terms()
		seq := lot.Seq + 1
		state, err := terms.Place(lot.State(), sc.BidLine{Seq: seq, Bidder: bidder.ID, Kind: in.Kind, Cents: amount.Cents})
		if err != nil {
			return err
		}
		lot.SetState(state)
		b := sc.Bid{LotID: lot.ID, Seq: seq, BidderID: bidder.ID, Paddle: in.Paddle, Kind: in.Kind, Cents: amount.Cents,
			Currency: lot.Currency, PlacedAt: now}
		nb := &newBid{seq: seq, bidder: &bidder.ID, kind: in.Kind, cents: amount.Cents, key: in.IdempotencyKey, createdBy: tokenRef(a), createdByStaff: staffRef(a)}
		events := []event{{kind: sc.LotBid, newBid: true, bidder: &bidder.ID, amount: &amount.Cents, detail: string(in.Kind)}}
		if au.Kind == sc.AuctionTimed {
			clock := sc.LotClock{End: *lot.EndsAt, Cap: *lot.CapAt, Window: au.SoftCloseWindow()}
			if end, extended := clock.Extend(now); extended {
				lot.EndsAt = &end
				events = append(events, event{kind: sc.LotExtended})
			}
		}
		if err := saveLotWithBid(ctx, tx, lot, now, nb, events...); err != nil {
			return err
		}
		b.ID, b.LoggedBy = *nb.id, nb.loggedBy
		res = sc.BidResult{Bid: &b, Lot: lot}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &res, nil
}

// RetractBid implements secondchance.AuctionService: the lot's state is replayed from the bids
// that remain, as if the retracted one had never been placed. A TIMED lot keeps its end.
func (db *DB) RetractBid(ctx context.Context, id int64, reason string) (*sc.Lot, error) {
	a, err := sc.RequireRole(ctx, sc.RoleStaff)
	if err != nil {
		return nil, err
	}
	if err := checkReason(reason); err != nil {
		return nil, err
	}
	var lot *sc.Lot
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		var lotID int64
		if err := tx.GetContext(ctx, &lotID, `SELECT b.lot_id FROM `+bidFrom+` WHERE b.id = $1 AND a.store_id = $2`, id, a.StoreID); err != nil {
			return notFound(err, "bid", "no bid of this store with this ID")
		}
		l, _, err := lockLot(ctx, tx, &a.StoreID, lotID, "bid")
		if err != nil {
			return err
		}
		lot = l
		if lot.Status != sc.LotOpen {
			return sc.FieldErrorf("bid", sc.ELOTSTATE, "the lot is %s; bids are retracted while it is OPEN", lot.Status)
		}
		var b sc.Bid
		if err := tx.GetContext(ctx, &b, `SELECT `+bidColumns+` FROM `+bidFrom+` WHERE b.id = $1`, id); err != nil {
			return err
		}
		if b.RetractedAt != nil {
			return sc.FieldErrorf("bid", sc.ECONFLICT, "the bid was already retracted")
		}
		now := db.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE bids SET retracted_at = $2, retract_reason = $3 WHERE id = $1`, id, now, reason); err != nil {
			return err
		}
		// The replay needs only what the rules read of each bid.
		var rest []*sc.Bid
		if err := tx.SelectContext(ctx, &rest, `SELECT b.id, b.seq, b.bidder_id, b.kind, b.cents FROM bids b
			WHERE b.lot_id = $1 AND b.retracted_at IS NULL ORDER BY b.seq`, lot.ID); err != nil {
			return err
		}
		lines := make([]sc.BidLine, len(rest))
		for i, r := range rest {
			lines[i] = r.Line()
		}
		lot.SetState(lot.Terms().Replay(lines))
		return saveLot(ctx, tx, lot, now, event{kind: sc.LotBidRetracted, bid: &b.ID, bidder: &b.BidderID, amount: &b.Cents, detail: reason})
	})
	if err != nil {
		return nil, err
	}
	return lot, nil
}

// OpenLot implements secondchance.AuctionService: a LIVE auction's clerk opens one lot at a
// time; the lot takes the store's increment table in force now.
func (db *DB) OpenLot(ctx context.Context, id int64) (*sc.Lot, error) {
	return db.liveLot(ctx, id, func(tx *sqlx.Tx, lot *sc.Lot, au *sc.Auction, now time.Time) ([]event, error) {
		if au.Status != sc.AuctionOpen {
			return nil, sc.FieldErrorf("lot", sc.ELOTSTATE, "the auction is %s; open the auction first", au.Status)
		}
		if lot.Status != sc.LotPending {
			return nil, sc.FieldErrorf("lot", sc.ELOTSTATE, "the lot is %s; only a PENDING lot opens", lot.Status)
		}
		var other []int
		if err := tx.SelectContext(ctx, &other, `SELECT number FROM lots WHERE auction_id = $1 AND status = 'OPEN'`, au.ID); err != nil {
			return nil, err
		}
		if len(other) > 0 {
			return nil, sc.FieldErrorf("lot", sc.ELOTSTATE, "lot %d is still open; hammer or pass it first", other[0])
		}
		t, version, err := storeIncrements(ctx, tx, au.StoreID)
		if err != nil {
			return nil, err
		}
		if err := setIncrements(ctx, tx, lot, t, version); err != nil {
			return nil, err
		}
		lot.Status, lot.OpenedAt = sc.LotOpen, &now
		return []event{{kind: sc.LotOpened}}, nil
	})
}

func setIncrements(ctx context.Context, tx *sqlx.Tx, lot *sc.Lot, t sc.IncrementTable, version int) error {
	steps, err := json.Marshal(t)
	if err != nil {
		return err
	}
	lot.IncrementsJSON, lot.IncrementsVersion = steps, &version
	_, err = tx.ExecContext(ctx, `UPDATE lots SET increments = $2::jsonb, increments_version = $3 WHERE id = $1`, lot.ID, string(steps), version)
	return err
}

// HammerLot implements secondchance.AuctionService.
func (db *DB) HammerLot(ctx context.Context, id int64) (*sc.Lot, error) {
	return db.liveLot(ctx, id, func(tx *sqlx.Tx, lot *sc.Lot, au *sc.Auction, now time.Time) ([]event, error) {
		if lot.Status != sc.LotOpen {
			return nil, sc.FieldErrorf("lot", sc.ELOTSTATE, "the lot is %s; only an OPEN lot is hammered", lot.Status)
		}
		return db.endLot(ctx, tx, lot, au, now, false)
	})
}

// PassLot implements secondchance.AuctionService.
func (db *DB) PassLot(ctx context.Context, id int64) (*sc.Lot, error) {
	return db.liveLot(ctx, id, func(tx *sqlx.Tx, lot *sc.Lot, au *sc.Auction, now time.Time) ([]event, error) {
		if lot.Status != sc.LotOpen {
			return nil, sc.FieldErrorf("lot", sc.ELOTSTATE, "the lot is %s; only an OPEN lot is passed", lot.Status)
		}
		return db.endLot(ctx, tx, lot, au, now, true)
	})
}

func (db *DB) liveLot(ctx context.Context, id int64, fn func(tx *sqlx.Tx, lot *sc.Lot, au *sc.Auction, now time.Time) ([]event, error)) (*sc.Lot, error) {
	a, err := sc.RequireRole(ctx, sc.RoleStaff)
	if err != nil {
		return nil, err
	}
	var lot *sc.Lot
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		l, au, err := lockLot(ctx, tx, &a.StoreID, id, "lot")
		if err != nil {
			return err
		}
		lot = l
		if au.Kind != sc.AuctionLive {
			return sc.FieldErrorf("lot", sc.ELOTSTATE, "the lot is in a TIMED auction; it opens and closes on its own")
		}
		now := db.Now()
		events, err := fn(tx, lot, au, now)
		if err != nil {
			return err
		}
		return saveLot(ctx, tx, lot, now, events...)
	})
	if err != nil {
		return nil, err
	}
	return lot, nil
}

// endLot decides how an open lot ends: SOLD to the leader when the reserve is met, else UNSOLD
// (passed by the clerk, no bids, or reserve not met). An unsold lot lets its items go.
func (db *DB) endLot(ctx context.Context, tx *sqlx.Tx, lot *sc.Lot, au *sc.Auction, now time.Time, passed bool) ([]event, error) {
	status, reason := lot.Terms().Hammer(lot.State())
	if passed {
		status, reason = sc.LotUnsold, sc.UnsoldPassed
	}
	lot.Status, lot.ClosedAt = status, &now
	ev := event{kind: sc.LotSoldEvent}
	if status == sc.LotSold {
		var days int
		if err := tx.GetContext(ctx, &days, `SELECT auction_payment_days FROM stores WHERE id = $1`, au.StoreID); err != nil {
			return nil, err
		}
		due := now.AddDate(0, 0, days)
		hammer := lot.PriceCents
		lot.WinnerBidderID, lot.HammerCents, lot.DueAt = lot.LeaderBidderID, &hammer, &due
		ev.bidder, ev.amount = lot.LeaderBidderID, &hammer
	} else {
		lot.UnsoldReason = &reason
		ev = event{kind: sc.LotUnsoldEvent, detail: string(reason)}
		if passed {
			ev.kind = sc.LotPassed
		}
		if _, err := tx.ExecContext(ctx, `UPDATE lot_items SET live = false WHERE lot_id = $1`, lot.ID); err != nil {
			return nil, err
		}
	}
	if err := closeAuctionWhenDone(ctx, tx, au, lot.ID, now); err != nil {
		return nil, err
	}
	if status == sc.LotSold && db.AfterLotWon != nil {
		if err := db.AfterLotWon(ctx, tx.Tx); err != nil {
			return nil, err
		}
	}
	return []event{ev}, nil
}

// closeAuctionWhenDone closes a TIMED auction when its last open lot ends. A LIVE auction stays
// open until the clerk has ended every lot too.
func closeAuctionWhenDone(ctx context.Context, tx *sqlx.Tx, au *sc.Auction, ending int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE auctions SET status = 'CLOSED', closed_at = $3 WHERE id = $1 AND status = 'OPEN'
		AND NOT EXISTS (SELECT 1 FROM lots WHERE auction_id = $1 AND id <> $2 AND status IN ('PENDING', 'OPEN'))`, au.ID, ending, now)
	return err
}

// CloseLot implements secondchance.AuctionService for the closing job: under the lot's lock it
// checks the end again, since a late bid may have moved it.
func (db *DB) CloseLot(ctx context.Context, id int64) (sc.LotClose, error) {
	// The job comes a little before the end (jobs.closeAhead): a read without the lock says so,
	// with no transaction to commit. An end only ever moves later, so "not yet" is never wrong;
	// the end is checked again under the lock before the lot closes.
	var early struct {
		Status sc.LotStatus `db:"status"`
		EndsAt *time.Time   `db:"ends_at"`
	}
	if err := db.GetContext(ctx, &early, `SELECT status, ends_at FROM lots WHERE id = $1`, id); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return sc.LotClose{}, err
	}
	if early.Status == sc.LotOpen && early.EndsAt != nil && db.Now().Before(*early.EndsAt) {
		return sc.LotClose{EndsAt: *early.EndsAt}, nil
	}
	var out sc.LotClose
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		lot, au, err := lockLot(ctx, tx, nil, id, "lot")
		if err != nil {
			return err
		}
		if lot.Status != sc.LotOpen || au.Kind != sc.AuctionTimed {
			out.Closed = true
			return nil
		}
		now := db.Now()
		if now.Before(*lot.EndsAt) {
			out.EndsAt = *lot.EndsAt
			return nil
		}
		// The lot ended at its end, whenever the job runs.
		events, err := db.endLot(ctx, tx, lot, au, *lot.EndsAt, false)
		if err != nil {
			return err
		}
		out.Closed = true
		return saveLot(ctx, tx, lot, *lot.EndsAt, events...)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return sc.LotClose{Closed: true}, nil
	}
	return out, err
}

// LotEvents implements secondchance.AuctionService.
func (db *DB) LotEvents(ctx context.Context, lot int64, after int64, limit int) ([]*sc.LotEvent, error) {
	sp, err := storeScope(ctx)
	if err != nil {
		return nil, err
	}
	var ok bool
	if err := db.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM lots l JOIN auctions a ON a.id = l.auction_id
		WHERE l.id = $1 AND ($2::bigint IS NULL OR a.store_id = $2))`, lot, sp); err != nil {
		return nil, mapError(err)
	}
	if !ok {
		return nil, sc.FieldErrorf("lot", sc.ENOTFOUND, "no lot of this store with this ID")
	}
	return lotEvents(ctx, db, lot, after, limit)
}

// lotEvents reads events without checking who asks: the caller did.
func lotEvents(ctx context.Context, q sqlx.QueryerContext, lot int64, after int64, limit int) ([]*sc.LotEvent, error) {
	rows := []*sc.LotEvent{}
	err := sqlx.SelectContext(ctx, q, &rows, `SELECT e.lot_id, e.seq, e.kind, e.at, e.bid_id, bp.number AS paddle, e.amount_cents,
			e.price_cents, lp.number AS leader_paddle, e.ends_at, e.detail, l.currency,
			(l.reserve_cents = 0 OR (e.leader_bidder_id IS NOT NULL AND e.price_cents >= l.reserve_cents)) AS reserve_met
		FROM lot_events e JOIN lots l ON l.id = e.lot_id
		LEFT JOIN paddles bp ON bp.auction_id = l.auction_id AND bp.bidder_id = e.bidder_id
		LEFT JOIN paddles lp ON lp.auction_id = l.auction_id AND lp.bidder_id = e.leader_bidder_id
		WHERE e.lot_id = $1 AND e.seq > $2 ORDER BY e.seq LIMIT $3`, lot, after, limit)
	return rows, mapError(err)
}

// Bids implements secondchance.AuctionService: each lot's bids, retracted ones too, in order.
func (db *DB) Bids(ctx context.Context, lotIDs []int64) ([][]*sc.Bid, error) {
	sp, err := storeScope(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*sc.Bid
	if err := db.SelectContext(ctx, &rows, `SELECT `+bidColumns+` FROM `+bidFrom+` WHERE b.lot_id = ANY($1)
		AND ($2::bigint IS NULL OR a.store_id = $2) ORDER BY b.lot_id, b.seq`, pq.Array(lotIDs), sp); err != nil {
		return nil, mapError(err)
	}
	return groupByID(lotIDs, rows, func(b *sc.Bid) int64 { return b.LotID }), nil
}
