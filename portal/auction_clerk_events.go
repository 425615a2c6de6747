package portal

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	sc "github.com/secondchance/secondchance"
)

// ssePing is how often an idle event stream sends a comment, so that proxies and the browser
// keep it open and a dead peer is found.
const ssePing = 15 * time.Second

// lotEvent is one event as the clerking screen's script reads it: the event, and the lot's
// state after it in the form the screen shows.
type lotEvent struct {
	Seq        int64  `json:"seq"`
	Kind       string `json:"kind"`
	At         string `json:"at"`
	Bid        *int64 `json:"bid,omitempty"`
	Paddle     *int   `json:"paddle,omitempty"`
	Amount     string `json:"amount,omitempty"`
	BidKind    string `json:"bidKind,omitempty"`
	Detail     string `json:"detail,omitempty"`
	Price      string `json:"price,omitempty"`
	Leader     *int   `json:"leader,omitempty"`
	ReserveMet bool   `json:"reserveMet"`
	Ask        string `json:"ask"`
}

func newLotEvent(l *sc.Lot, e *sc.LotEvent) lotEvent {
	out := lotEvent{Seq: e.Seq, Kind: string(e.Kind), At: e.At.UTC().Format("15:04:05"), Bid: e.BidID, Paddle: e.Paddle,
		Leader: e.LeaderPaddle, ReserveMet: e.ReserveMet, Ask: l.MinimumBidAfter(e).Amount(), Detail: e.Detail}
	if a := e.Amount(); a != nil {
		out.Amount = a.Amount()
	}
	if p := e.Price(); p != nil {
		out.Price = p.Amount()
	}
	if e.Kind == sc.LotBid {
		out.BidKind, out.Detail = e.Detail, ""
	}
	return out
}

// lotEvents streams a lot's events as server-sent events: those after the sequence the
// browser saw last (Last-Event-ID when it reconnects, else ?after=), then each new one as it
// happens, each with its sequence as its ID, so a reconnect misses nothing and repeats nothing.
// The stream outlives the server's request timeouts and ends at shutdown.
func (h *Handler) lotEvents(w http.ResponseWriter, r *http.Request) {
	l := h.lot(w, r, pathID(r))
	if l == nil {
		return
	}
	if h.services.Watcher == nil {
		http.Error(w, "live updates are not available here", http.StatusServiceUnavailable)
		return
	}
	after, err := afterSequence(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rc := http.NewResponseController(w)
	// The server's write and read deadlines bound ordinary requests; this one lasts.
	if err := rc.SetWriteDeadline(time.Time{}); err != nil {
		slog.WarnContext(r.Context(), "portal events: the write deadline stays; the browser will reconnect", "err", err)
	}
	rc.SetReadDeadline(time.Time{})
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	defer context.AfterFunc(h.live, cancel)()
	events, err := h.services.Watcher.Watch(ctx, l.ID, after)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 1000\n\n")
	if err := rc.Flush(); err != nil {
		return
	}
	ping := time.NewTicker(ssePing)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ping.C:
			fmt.Fprint(w, ": ping\n\n")
		case e, ok := <-events:
			if !ok {
				return // shutdown, or too far behind: the browser reconnects from its last ID
			}
			if e.Kind == sc.LotOpened {
				// The lot took its increment table when it opened.
				if ls, err := h.services.Auctions.LotsByID(ctx, []int64{l.ID}); err == nil && len(ls) == 1 && ls[0] != nil {
					l = ls[0]
				}
			}
			b, _ := json.Marshal(newLotEvent(l, e))
			fmt.Fprintf(w, "id: %d\nevent: lot\ndata: %s\n\n", e.Seq, b)
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}

// afterSequence is the last sequence the browser has: its Last-Event-ID on a reconnect, else
// the page's ?after=.
func afterSequence(r *http.Request) (int64, error) {
	v := r.Header.Get("Last-Event-ID")
	if v == "" {
		v = r.URL.Query().Get("after")
	}
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("after: %q is not a sequence number", v)
	}
	return n, nil
}
