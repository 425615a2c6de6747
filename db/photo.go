package db

import (
	"context"
	"crypto/sha256"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	sc "github.com/secondchance/secondchance"
)

var _ sc.PhotoService = (*DB)(nil)

// photoColumns describe a photo without its bytes, with its uploader's name (joined as s).
const photoColumns = `ph.id, ph.item_id, ph.content_type, ph.size, ph.sha256, ph.uploaded_by, s.name AS uploaded_by_name, ph.uploaded_at`

// AddItemPhotos implements secondchance.PhotoService: the item is locked while its photos
// are counted and added, so two uploads at once cannot pass the limit together.
func (db *DB) AddItemPhotos(ctx context.Context, item int64, files []sc.PhotoFile) ([]*sc.ItemPhoto, error) {
	a, err := sc.RequireRole(ctx, sc.RoleStaff)
	if err != nil {
		return nil, err
	}
	var added []*sc.ItemPhoto
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		it, err := staffItem(ctx, tx, a, item)
		if err != nil {
			return err
		}
		var existing int
		if err := tx.GetContext(ctx, &existing, `SELECT count(*) FROM item_photos WHERE item_id = $1`, it.ID); err != nil {
			return err
		}
		if err := sc.ValidatePhotos(files, existing); err != nil {
			return err
		}
		var by *int64
		if a.StaffID != 0 {
			by = &a.StaffID
		}
		// One statement per file, its bytes a binary parameter: in an array they would go as
		// hex text, twice their size in memory here and in the server's parser.
		for _, f := range files {
			sum := sha256.Sum256(f.Data)
			var ph []*sc.ItemPhoto
			if err := tx.SelectContext(ctx, &ph, `WITH ph AS (
					INSERT INTO item_photos (item_id, content_type, size, sha256, data, uploaded_by, uploaded_at)
					VALUES ($1, $2, octet_length($4::bytea), $3, $4, $5, $6)
					ON CONFLICT ON CONSTRAINT item_photos_item_sha256_key DO NOTHING
					RETURNING id, item_id, content_type, size, sha256, uploaded_by, uploaded_at)
				SELECT `+photoColumns+` FROM ph LEFT JOIN staff_accounts s ON s.id = ph.uploaded_by`,
				it.ID, sc.SniffPhoto(f.Data), sum[:], f.Data, by, db.Now()); err != nil {
				return err
			}
			added = append(added, ph...)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return added, nil
}

// photoVisible is the condition that a photo's item (i) is one the actor may see: an admin
// sees all, staff their store's ($2 and $3 are photoScopeArgs).
const photoVisible = `($2 OR i.store_id = $3)`

func photoScopeArgs(ctx context.Context) ([]any, error) {
	a, err := sc.RequireRole(ctx, sc.RoleStaff, sc.RoleAdmin)
	if err != nil {
		return nil, err
	}
	return []any{a.Role == sc.RoleAdmin, nullID(a.StoreID)}, nil
}

// ItemPhotos implements secondchance.PhotoService in one statement for all the items.
func (db *DB) ItemPhotos(ctx context.Context, itemIDs []int64) ([][]*sc.ItemPhoto, error) {
	args, err := photoScopeArgs(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*sc.ItemPhoto
	if err := db.SelectContext(ctx, &rows, `SELECT `+photoColumns+`
		FROM item_photos ph JOIN returned_items i ON i.id = ph.item_id LEFT JOIN staff_accounts s ON s.id = ph.uploaded_by
		WHERE ph.item_id = ANY($1) AND `+photoVisible+` ORDER BY ph.item_id, ph.id`, append([]any{pq.Array(itemIDs)}, args...)...); err != nil {
		return nil, mapError(err)
	}
	return groupByID(itemIDs, rows, func(p *sc.ItemPhoto) int64 { return p.ItemID }), nil
}

// ItemPhotoData implements secondchance.PhotoService.
func (db *DB) ItemPhotoData(ctx context.Context, photo int64) (*sc.ItemPhoto, []byte, error) {
	args, err := photoScopeArgs(ctx)
	if err != nil {
		return nil, nil, err
	}
	var row struct {
		sc.ItemPhoto
		Data []byte `db:"data"`
	}
	if err := db.GetContext(ctx, &row, `SELECT `+photoColumns+`, ph.data
		FROM item_photos ph JOIN returned_items i ON i.id = ph.item_id LEFT JOIN staff_accounts s ON s.id = ph.uploaded_by
		WHERE ph.id = $1 AND `+photoVisible, append([]any{photo}, args...)...); err != nil {
		return nil, nil, notFound(err, "photo", "no photo of this store with this ID")
	}
	return &row.ItemPhoto, row.Data, nil
}

// DeleteItemPhoto implements secondchance.PhotoService (the store's staff).
func (db *DB) DeleteItemPhoto(ctx context.Context, photo int64) (*sc.ItemPhoto, error) {
	a, err := sc.RequireRole(ctx, sc.RoleStaff)
	if err != nil {
		return nil, err
	}
	var p sc.ItemPhoto
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &p, `WITH ph AS (
				DELETE FROM item_photos ph USING returned_items i
				WHERE ph.id = $1 AND i.id = ph.item_id AND i.store_id = $2
				RETURNING ph.id, ph.item_id, ph.content_type, ph.size, ph.sha256, ph.uploaded_by, ph.uploaded_at)
			SELECT `+photoColumns+` FROM ph LEFT JOIN staff_accounts s ON s.id = ph.uploaded_by`, photo, a.StoreID)
		if err != nil {
			return notFound(err, "photo", "no photo of this store with this ID")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}
