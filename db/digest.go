package db

import (
	"context"

	sc "github.com/secondchance/secondchance"
)

// DigestKey names one digest in the outbox.
type DigestKey struct {
	BatchID  int64  `db:"batch_id"`
	SellerID int64  `db:"seller_id"`
	Kind     string `db:"kind"`
	RefID    int64  `db:"ref_id"`
}

// UnsentDigests returns up to limit digests not sent yet, oldest batch first.
func (db *DB) UnsentDigests(ctx context.Context, limit int) ([]DigestKey, error) {
	var keys []DigestKey
	err := db.SelectContext(ctx, &keys, `SELECT batch_id, seller_id, kind, ref_id FROM digests
		WHERE sent_at IS NULL ORDER BY batch_id, kind, ref_id, seller_id LIMIT $1`, limit)
	return keys, mapError(err)
}

// Digest reads what one digest says.
func (db *DB) Digest(ctx context.Context, k DigestKey) (*sc.Digest, error) {
	d := sc.Digest{Kind: k.Kind, BatchID: k.BatchID, RefID: k.RefID}
	err := db.QueryRowxContext(ctx, `SELECT g.message_id, b.week FROM digests g JOIN batches b ON b.id = g.batch_id
		WHERE g.batch_id = $1 AND g.seller_id = $2 AND g.kind = $3 AND g.ref_id = $4`, k.BatchID, k.SellerID, k.Kind, k.RefID).
		Scan(&d.MessageID, &d.Week)
	if err != nil {
		return nil, mapError(err)
	}
	if err := db.GetContext(ctx, &d.Seller, `SELECT `+sellerColumns+` FROM sellers s WHERE s.id = $1`, k.SellerID); err != nil {
		return nil, mapError(err)
	}
	// A batch digest lists the seller's reports in the batch; an appeal digest, those under the
	// reversed verdict.
	err = db.SelectContext(ctx, &d.Items, `SELECT o.number AS order_number, r.reason, r.status, b.handle AS buyer_handle,
			v.verdict, v.suspended_until
		FROM reports r JOIN orders o ON o.id = r.order_id JOIN buyers b ON b.id = r.buyer_id
		LEFT JOIN verdicts v ON v.id = r.verdict_id
		WHERE r.seller_id = $1 AND CASE WHEN $2 = 'APPEAL' THEN r.verdict_id = $3 ELSE r.batch_id = $4 END
		ORDER BY o.number, r.id`, k.SellerID, k.Kind, k.RefID, k.BatchID)
	if err != nil {
		return nil, mapError(err)
	}
	if k.Kind == sc.DigestAppeal {
		if err := db.GetContext(ctx, &d.Reason, `SELECT reversal_reason FROM verdicts WHERE id = $1`, k.RefID); err != nil {
			return nil, mapError(err)
		}
	}
	return &d, nil
}

// MarkDigestSent records that a digest went out, so a retry never sends it again.
func (db *DB) MarkDigestSent(ctx context.Context, k DigestKey) error {
	_, err := db.ExecContext(ctx, `UPDATE digests SET sent_at = now()
		WHERE batch_id = $1 AND seller_id = $2 AND kind = $3 AND ref_id = $4`, k.BatchID, k.SellerID, k.Kind, k.RefID)
	return mapError(err)
}
