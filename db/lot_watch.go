package db

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lib/pq"

	sc "github.com/secondchance/secondchance"
)

var _ sc.LotWatcher = (*LotWatcher)(nil)

// watchPage is how many events a subscriber reads from the table at a time while it catches up.
const watchPage = 500

// LotWatcher streams lot events to subscribers. The process holds one LISTEN connection
// (lib/pq's listener); a notification carries only the lot and its last sequence, so it works
// across API replicas. For each notified lot with subscribers the watcher reads the new events
// from lot_events once and hands them to every subscriber; a subscriber that is new, or fell
// behind, or sees a gap, reads what it lacks from the table itself. Nothing is buffered without
// limit: a subscriber whose client takes no event for Patience is dropped (its channel closes);
// while it catches up it reads from the table, not from memory.
type LotWatcher struct {
	// Patience is how long a subscriber's next event may wait for its client before the
	// subscriber is dropped (default 10 s); read when a subscription starts.
	Patience time.Duration
	db       *DB
	dsn      string
	log      *slog.Logger
	buffer   int
	start    sync.Once
	startErr error
	listener *pq.Listener

	mu     sync.Mutex
	lots   map[int64]*watchedLot
	closed bool
	done   chan struct{}
}

type watchedLot struct {
	subs map[*subscriber]struct{}
	last int64 // the last sequence handed to the subscribers
}

type subscriber struct {
	in   chan *sc.LotEvent // from the watcher's fan-out
	wake chan struct{}     // read the table: the fan-out overflowed or the listener reconnected
}

// NewLotWatcher returns a watcher of db's lots, listening on its own connection to dsn once the
// first subscriber comes. buffer is how many events a slow client may lag before it is dropped.
func NewLotWatcher(db *DB, dsn string, buffer int) *LotWatcher {
	if buffer <= 0 {
		buffer = 256
	}
	return &LotWatcher{db: db, dsn: dsn, log: slog.Default(), buffer: buffer, lots: map[int64]*watchedLot{}, done: make(chan struct{}),
		Patience: 10 * time.Second}
}

func (w *LotWatcher) listen() error {
	w.start.Do(func() {
		l := pq.NewListener(w.dsn, 10*time.Millisecond, 10*time.Second, func(ev pq.ListenerEventType, err error) {
			if err != nil {
				w.log.Warn("lot events listener", "event", ev, "err", err)
			}
		})
		if err := l.Listen(LotEventsChannel); err != nil {
			l.Close()
			w.startErr = err
			return
		}
		w.listener = l
		go w.run()
	})
	return w.startErr
}

// sweepEvery is how often the watcher also reads the watched lots' sequences itself: the
// wake-up of an event is sent after its transaction commits, so a crash in between, or a
// notification lost while the listener reconnects, delays that event by this much at most.
const sweepEvery = 2 * time.Second

func (w *LotWatcher) run() {
	ping := time.NewTicker(time.Minute)
	defer ping.Stop()
	sweep := time.NewTicker(sweepEvery)
	defer sweep.Stop()
	for {
		select {
		case <-w.done:
			return
		case <-sweep.C:
			w.sweep()
		case <-ping.C:
			go w.listener.Ping()
		case n := <-w.listener.Notify:
			if n == nil {
				// The connection was lost and is back: notifications may have been missed.
				w.wakeAll()
				continue
			}
			lot, seq, ok := parseNotice(n.Extra)
			if ok {
				w.fanOut(lot, seq)
			}
		}
	}
}

// sweep fans out what the watched lots hold beyond what their subscribers were handed, in one
// statement for all of them.
func (w *LotWatcher) sweep() {
	w.mu.Lock()
	ids := make([]int64, 0, len(w.lots))
	for id := range w.lots {
		ids = append(ids, id)
	}
	w.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var rows []struct {
		ID  int64 `db:"id"`
		Seq int64 `db:"seq"`
	}
	if err := w.db.SelectContext(ctx, &rows, `SELECT id, seq FROM lots WHERE id = ANY($1)`, pq.Array(ids)); err != nil {
		w.log.Warn("sweeping watched lots", "err", err)
		return
	}
	for _, r := range rows {
		w.fanOut(r.ID, r.Seq)
	}
}

func parseNotice(s string) (lot, seq int64, ok bool) {
	a, b, found := strings.Cut(s, ":")
	if !found {
		return 0, 0, false
	}
	lot, err1 := strconv.ParseInt(a, 10, 64)
	seq, err2 := strconv.ParseInt(b, 10, 64)
	return lot, seq, err1 == nil && err2 == nil
}

func (w *LotWatcher) wakeAll() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, wl := range w.lots {
		for s := range wl.subs {
			s.signal()
		}
	}
}

func (s *subscriber) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// fanOut reads a lot's events up to seq once and offers them to its subscribers.
func (w *LotWatcher) fanOut(lot, seq int64) {
	w.mu.Lock()
	wl := w.lots[lot]
	if wl == nil || seq <= wl.last {
		w.mu.Unlock()
		return
	}
	after := wl.last
	w.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	evs, err := lotEvents(ctx, w.db, lot, after, watchPage)
	cancel()
	w.mu.Lock()
	defer w.mu.Unlock()
	wl = w.lots[lot]
	if wl == nil {
		return
	}
	if err != nil {
		w.log.Warn("reading lot events", "lot", lot, "err", err)
		for s := range wl.subs {
			s.signal()
		}
		return
	}
	for _, e := range evs {
		if e.Seq <= wl.last {
			continue
		}
		wl.last = e.Seq
		for s := range wl.subs {
			select {
			case s.in <- e:
			default:
				s.signal() // it reads the rest from the table
			}
		}
	}
}

// Watch implements secondchance.LotWatcher for the staff of the lot's store (and admins).
func (w *LotWatcher) Watch(ctx context.Context, lot, after int64) (<-chan *sc.LotEvent, error) {
	sp, err := storeScope(ctx)
	if err != nil {
		return nil, err
	}
	var seq *int64
	if err := w.db.GetContext(ctx, &seq, `SELECT l.seq FROM lots l JOIN auctions a ON a.id = l.auction_id
		WHERE l.id = $1 AND ($2::bigint IS NULL OR a.store_id = $2)`, lot, sp); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, mapError(err)
	}
	if seq == nil {
		return nil, sc.FieldErrorf("lot", sc.EFORBIDDEN, "you may watch your own store's lots only")
	}
	if after < 0 {
		return nil, sc.FieldErrorf("afterSequence", sc.EINVALID, "afterSequence is 0 or more")
	}
	if err := w.listen(); err != nil {
		return nil, sc.Errorf(sc.EINTERNAL, "live updates are unavailable: %v", err)
	}
	s := &subscriber{in: make(chan *sc.LotEvent, 64), wake: make(chan struct{}, 1)}
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil, sc.Errorf(sc.EINTERNAL, "the server is shutting down")
	}
	wl := w.lots[lot]
	if wl == nil {
		wl = &watchedLot{subs: map[*subscriber]struct{}{}, last: *seq}
		w.lots[lot] = wl
	}
	wl.subs[s] = struct{}{}
	w.mu.Unlock()

	out := make(chan *sc.LotEvent, w.buffer)
	patience := w.Patience
	go func() {
		defer close(out)
		defer w.unsubscribe(lot, s)
		w.serve(ctx, lot, after, s, out, patience)
	}()
	return out, nil
}

// serve hands a subscriber its events in order, each once: first those after `after` read from
// the table, then those the fan-out brings, going back to the table whenever it sees a gap.
func (w *LotWatcher) serve(ctx context.Context, lot, last int64, s *subscriber, out chan<- *sc.LotEvent, patience time.Duration) {
	timer := time.NewTimer(patience)
	defer timer.Stop()
	send := func(e *sc.LotEvent) bool {
		if e.Seq <= last {
			return true
		}
		select {
		case out <- e:
			last = e.Seq
			return true
		default:
		}
		// The client's buffer is full: wait for it a while. Meanwhile the fan-out may overflow
		// this subscriber's inbox; it then reads the rest from the table.
		timer.Reset(patience)
		select {
		case out <- e:
			last = e.Seq
			return true
		case <-ctx.Done():
			return false
		case <-w.done:
			return false
		case <-timer.C:
			w.log.Info("dropping a slow lot events subscriber", "lot", lot, "sequence", last)
			return false
		}
	}
	catchUp := func() bool {
		for {
			evs, err := lotEvents(ctx, w.db, lot, last, watchPage)
			if err != nil {
				if ctx.Err() == nil {
					w.log.Warn("reading lot events", "lot", lot, "err", err)
				}
				return false
			}
			for _, e := range evs {
				if !send(e) {
					return false
				}
			}
			if len(evs) < watchPage {
				return true
			}
		}
	}
	if !catchUp() {
		return
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.done:
			return
		case <-s.wake:
			if !catchUp() {
				return
			}
		case e := <-s.in:
			if e.Seq > last+1 {
				if !catchUp() {
					return
				}
				continue
			}
			if !send(e) {
				return
			}
		}
	}
}

func (w *LotWatcher) unsubscribe(lot int64, s *subscriber) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if wl := w.lots[lot]; wl != nil {
		delete(wl.subs, s)
		if len(wl.subs) == 0 {
			delete(w.lots, lot)
		}
	}
}

// Subscribers counts the live subscriptions (for tests and metrics).
func (w *LotWatcher) Subscribers() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, wl := range w.lots {
		n += len(wl.subs)
	}
	return n
}

// Close ends every subscription and the listener.
func (w *LotWatcher) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	close(w.done)
	w.mu.Unlock()
	if w.listener != nil {
		return w.listener.Close()
	}
	return nil
}
