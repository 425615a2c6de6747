package db_test

import (
	"crypto/sha256"
	"image/color"
	"testing"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/db/dbtest"
)

func photoFile(name string, data []byte) sc.PhotoFile {
	return sc.PhotoFile{Name: name, Size: int64(len(data)), Data: data}
}

func TestItemPhotos(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	item := dbtest.Item(t, d, nil)
	staff, _ := dbtest.As(t, d, sc.TokenInput{Role: sc.RoleStaff, StoreCode: "SCS"})
	jpg, pngData := dbtest.Image(t, true, color.RGBA{200, 10, 10, 255}), dbtest.Image(t, false, color.RGBA{10, 200, 10, 255})
	// The names lie: the content decides.
	added, err := d.AddItemPhotos(staff, item.ID, []sc.PhotoFile{photoFile("a.png", jpg), photoFile("b.jpg", pngData)})
	require.NoError(t, err)
	require.Len(t, added, 2)
	require.Equal(t, sc.PhotoJPEG, added[0].ContentType)
	require.Equal(t, sc.PhotoPNG, added[1].ContentType)
	require.Equal(t, int64(len(jpg)), added[0].Size)
	sum := sha256.Sum256(jpg)
	require.Equal(t, sum[:], added[0].SHA256)
	require.Nil(t, added[0].UploadedBy, "a staff token is no staff account")

	got, err := d.ItemPhotos(staff, []int64{item.ID, 999999})
	require.NoError(t, err)
	require.Len(t, got[0], 2)
	require.Empty(t, got[1])
	require.Equal(t, added[0].ID, got[0][0].ID, "oldest first")
	p, data, err := d.ItemPhotoData(staff, added[1].ID)
	require.NoError(t, err)
	require.Equal(t, pngData, data)
	require.Equal(t, sc.PhotoPNG, p.ContentType)

	again, err := d.AddItemPhotos(staff, item.ID, []sc.PhotoFile{photoFile("again.jpg", jpg)})
	require.NoError(t, err)
	require.Empty(t, again, "the item has this file already")

	big := make([]byte, sc.MaxPhotoBytes+1)
	copy(big, jpg)
	for _, c := range []struct {
		name  string
		files []sc.PhotoFile
		field string
	}{
		{"ErrNone", nil, "photos"},
		{"ErrEmpty", []sc.PhotoFile{photoFile("empty.png", nil)}, "photos.0"},
		{"ErrNotAnImage", []sc.PhotoFile{photoFile("notes.jpg", []byte("just some text, named .jpg"))}, "photos.0"},
		{"ErrPDF", []sc.PhotoFile{photoFile("scan.png", []byte("%PDF-1.4 ..."))}, "photos.0"},
		{"ErrTooLarge", []sc.PhotoFile{photoFile("ok.png", dbtest.Image(t, false, color.RGBA{1, 2, 3, 255})), photoFile("huge.jpg", big)}, "photos.1"},
		{"ErrTooMany", func() []sc.PhotoFile {
			var fs []sc.PhotoFile
			for i := range sc.MaxItemPhotos - 1 {
				fs = append(fs, photoFile("p.png", dbtest.Image(t, false, color.RGBA{uint8(i), 0, 0, 255})))
			}
			return fs
		}(), "photos"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := d.AddItemPhotos(staff, item.ID, c.files)
			require.Equal(t, sc.EINVALID, sc.ErrorCode(err))
			require.Equal(t, c.field, sc.AsErrors(err)[0].Field)
			got, err := d.ItemPhotos(staff, []int64{item.ID})
			require.NoError(t, err)
			require.Len(t, got[0], 2, "nothing was added")
		})
	}

	// Another store's staff find neither the item nor its photos.
	t.Run("OtherStoreSeesNothing", func(t *testing.T) {
		other := dbtest.Store(t, d, nil)
		ctx, _ := dbtest.As(t, d, sc.TokenInput{Role: sc.RoleStaff, StoreCode: other.Code})
		_, err := d.AddItemPhotos(ctx, item.ID, []sc.PhotoFile{photoFile("x.png", dbtest.Image(t, false, color.RGBA{9, 9, 9, 255}))})
		require.Equal(t, sc.ENOTFOUND, sc.ErrorCode(err))
		got, err := d.ItemPhotos(ctx, []int64{item.ID})
		require.NoError(t, err)
		require.Empty(t, got[0])
		_, _, err = d.ItemPhotoData(ctx, added[0].ID)
		require.Equal(t, sc.ENOTFOUND, sc.ErrorCode(err))
		_, err = d.DeleteItemPhoto(ctx, added[0].ID)
		require.Equal(t, sc.ENOTFOUND, sc.ErrorCode(err))
		_, _, err = d.ItemPhotoData(staff, added[0].ID)
		require.NoError(t, err, "still there")
	})

	removed, err := d.DeleteItemPhoto(staff, added[0].ID)
	require.NoError(t, err)
	require.Equal(t, item.ID, removed.ItemID)
	_, _, err = d.ItemPhotoData(staff, added[0].ID)
	require.Equal(t, sc.ENOTFOUND, sc.ErrorCode(err))
	_, err = d.DeleteItemPhoto(staff, added[0].ID)
	require.Equal(t, sc.ENOTFOUND, sc.ErrorCode(err), "removed once")
}
