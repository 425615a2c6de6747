package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/lib/pq"

	"github.com/secondchance/secondchance/db"
)

// benchRead is one read of a frontend, as one subject makes it: the GraphQL request and the
// same rows as one hand-written SQL statement (its floor).
type benchRead struct {
	Name    string // what the frontend reads, e.g. "orders page"
	Subject string // who reads it, e.g. "largest seller"
	Role    string // seller or staff
	Large   bool   // the large one of the pair of subjects
	Token   string
	Query   string
	Vars    map[string]any
	// Rows is the path in the response to the list the read shows; nil: one object.
	Rows  []string
	Floor string
}

// The reads' GraphQL requests. The orders page is the issue's; the others ask what a frontend
// shows on the page.
const (
	benchMeSeller = `{ me { role seller { number name } } }`
	benchMeStaff  = `{ me { role store { code name } } }`
	benchOrders   = `{ orders(first: 100) { nodes { number placedAt total { amount currency } seller { number name } buyer { handle } } } }`
	benchOrder    = `query($n: String!) { order(number: $n) { number placedAt shipBy shippedAt deliveredAt cancelledAt total { amount currency }
		seller { number name } buyer { handle } feedback { rating comment leftAt } disputes { number reason openedAt closedAt }
		returnClaims { number reason requestedAt } } }`
	benchReports = `{ reports(first: 100) { nodes { id reason status createdAt order { number } buyer { handle } } } }`
	benchReturns = `{ returnAuthorizations(first: 100) { nodes { id code status createdAt expiresAt trackingNumber order { number } } } }`
	benchItems   = `{ returnedItems(first: 100) { nodes { id line description grade status route } } }`
	benchCerts   = `{ certificates(first: 100) { nodes { id serial kind status taxYear issuedAt itemCount net { amount currency } store { name } } } }`
	// Three windows, as the seller's dashboard shows them.
	benchIndicators = `query($n: String!) { seller(number: $n) { number
		d30: indicators(window: DAYS_30) { ...figures } d90: indicators(window: DAYS_90) { ...figures } d365: indicators(window: DAYS_365) { ...figures } } }
		fragment figures on SellerIndicators { from to raw { orders defects defectRate } assessed { orders disputes negativeFeedback returns lateShipments cancellations defects defectRate } }`
)

// benchReads lists every read for every subject, the large one of each pair first.
func benchReads(ctx context.Context, d *db.DB, s benchSubjects) ([]benchRead, error) {
	var reads []benchRead
	for _, seller := range []struct {
		benchSeller
		name  string
		large bool
	}{{s.Large, "largest seller", true}, {s.Small, "small seller", false}} {
		subject := fmt.Sprintf("%s (%d orders)", seller.name, seller.Orders)
		order, err := benchOrderNumber(ctx, d, seller.ID)
		if err != nil {
			return nil, err
		}
		id := seller.ID
		reads = append(reads,
			benchRead{Name: "me", Query: benchMeSeller, Floor: fmt.Sprintf(`SELECT t.role, s.number, s.name FROM tokens t JOIN sellers s ON s.id = t.seller_id
				WHERE t.secret_hash = '\x%s' AND t.revoked_at IS NULL`, tokenHash(seller.Token))},
			benchRead{Name: "orders page", Query: benchOrders, Rows: []string{"orders", "nodes"}, Floor: fmt.Sprintf(`SELECT o.number, o.placed_at, o.total_cents, o.currency,
				s.number, s.name, b.handle FROM orders o JOIN sellers s ON s.id = o.seller_id JOIN buyers b ON b.id = o.buyer_id
				WHERE o.seller_id = %d ORDER BY o.placed_at DESC, o.id DESC LIMIT 100`, id)},
			benchRead{Name: "order with its events", Query: benchOrder, Vars: map[string]any{"n": order}, Floor: fmt.Sprintf(`SELECT o.number, o.placed_at,
				o.ship_by, o.shipped_at, o.delivered_at, o.cancelled_at, o.total_cents, o.currency, s.number, s.name, b.handle, f.rating, f.comment, f.left_at,
				(SELECT json_agg(json_build_array(d.number, d.reason, d.opened_at, d.closed_at) ORDER BY d.opened_at, d.id) FROM disputes d WHERE d.order_id = o.id),
				(SELECT json_agg(json_build_array(r.number, r.reason, r.requested_at) ORDER BY r.requested_at, r.id) FROM return_claims r WHERE r.order_id = o.id)
				FROM orders o JOIN sellers s ON s.id = o.seller_id JOIN buyers b ON b.id = o.buyer_id LEFT JOIN feedback f ON f.order_id = o.id
				WHERE o.number = %s AND o.seller_id = %d`, pq.QuoteLiteral(order), id)},
			benchRead{Name: "reports page", Query: benchReports, Rows: []string{"reports", "nodes"}, Floor: fmt.Sprintf(`SELECT r.id, r.reason, r.status, r.created_at,
				o.number, b.handle FROM reports r JOIN orders o ON o.id = r.order_id JOIN buyers b ON b.id = r.buyer_id
				WHERE r.seller_id = %d ORDER BY r.created_at DESC, r.id DESC LIMIT 100`, id)},
			benchRead{Name: "returns page", Query: benchReturns, Rows: []string{"returnAuthorizations", "nodes"}, Floor: fmt.Sprintf(`SELECT r.id, r.code, r.status,
				r.created_at, r.expires_at, r.tracking_number, o.number FROM return_authorizations r JOIN orders o ON o.id = r.order_id
				WHERE r.seller_id = %d ORDER BY r.created_at DESC, r.id DESC LIMIT 100`, id)},
			benchRead{Name: "certificates", Query: benchCerts, Rows: []string{"certificates", "nodes"}, Floor: fmt.Sprintf(`SELECT c.id, c.serial, c.kind,
				c.voided_at, c.tax_year, c.issued_at, c.items, c.net_cents, c.currency, st.name FROM certificates c JOIN stores st ON st.id = c.store_id
				WHERE c.seller_id = %d ORDER BY c.id DESC LIMIT 100`, id)},
			benchRead{Name: "indicators", Query: benchIndicators, Vars: map[string]any{"n": seller.Number}, Floor: fmt.Sprintf(`SELECT w.days,
				sum(raw_orders), sum(raw_defects), sum(orders), sum(disputes), sum(negative), sum(returns), sum(late), sum(cancelled), sum(defects)
				FROM (VALUES (30), (90), (365)) AS w(days) JOIN seller_day_stats t ON t.seller_id = %d
				AND t.day >= (SELECT (coalesce(refreshed_at, now()) AT TIME ZONE 'UTC')::date FROM indicator_state WHERE id = 1) - (w.days - 1)
				GROUP BY w.days`, id)},
		)
		for i := len(reads) - 7; i < len(reads); i++ {
			reads[i].Subject, reads[i].Role, reads[i].Large, reads[i].Token = subject, "seller", seller.large, seller.Token
		}
	}
	for _, store := range []struct {
		benchStore
		name  string
		large bool
	}{{s.LargeStore, "universal store staff", true}, {s.SmallStore, "small store staff", false}} {
		id := store.ID
		reads = append(reads,
			benchRead{Name: "me", Query: benchMeStaff, Floor: fmt.Sprintf(`SELECT t.role, st.code, st.name FROM tokens t JOIN stores st ON st.id = t.store_id
				WHERE t.secret_hash = '\x%s' AND t.revoked_at IS NULL`, tokenHash(store.Token))},
			benchRead{Name: "returned items page", Query: benchItems, Rows: []string{"returnedItems", "nodes"}, Floor: fmt.Sprintf(`SELECT i.id, i.line,
				i.description, i.grade, i.status, i.route FROM returned_items i JOIN parcels p ON p.id = i.parcel_id
				WHERE p.store_id = %d ORDER BY i.id LIMIT 100`, id)},
			benchRead{Name: "certificates", Query: benchCerts, Rows: []string{"certificates", "nodes"}, Floor: fmt.Sprintf(`SELECT c.id, c.serial, c.kind,
				c.voided_at, c.tax_year, c.issued_at, c.items, c.net_cents, c.currency, st.name FROM certificates c JOIN stores st ON st.id = c.store_id
				WHERE c.store_id = %d ORDER BY c.id DESC LIMIT 100`, id)},
		)
		for i := len(reads) - 3; i < len(reads); i++ {
			reads[i].Subject, reads[i].Role, reads[i].Large, reads[i].Token = store.name, "staff", store.large, store.Token
		}
	}
	return reads, nil
}

// benchOrderNumber picks the seller's newest order with feedback, a dispute and a return
// claim, or its newest order when none has all three.
func benchOrderNumber(ctx context.Context, d *db.DB, sellerID int64) (string, error) {
	var n []string
	err := d.SelectContext(ctx, &n, `(SELECT o.number FROM orders o JOIN feedback f ON f.order_id = o.id
			WHERE o.seller_id = $1 AND EXISTS (SELECT 1 FROM disputes d WHERE d.order_id = o.id)
			AND EXISTS (SELECT 1 FROM return_claims r WHERE r.order_id = o.id) ORDER BY o.placed_at DESC LIMIT 1)
		UNION ALL (SELECT number FROM orders WHERE seller_id = $1 ORDER BY placed_at DESC LIMIT 1)`, sellerID)
	if err != nil || len(n) == 0 {
		return "", fmt.Errorf("an order of seller %d: %v", sellerID, err)
	}
	return n[0], nil
}

func tokenHash(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}
