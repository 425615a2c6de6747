package secondchance

import (
	"bytes"
	"context"
	"fmt"
	"time"
)

// Limits on the photos staff attach to an item at intake: a phone's photo fits in 5 MB, and a
// handful shows an item's condition.
const (
	MaxPhotoBytes = 5 << 20
	MaxItemPhotos = 8
)

// The content types of the photos the store keeps.
const (
	PhotoJPEG = "image/jpeg"
	PhotoPNG  = "image/png"
	PhotoWebP = "image/webp"
)

// ItemPhoto is a photo of a returned item taken at intake, kept by the store. Its bytes are
// read separately (PhotoService.ItemPhotoData): lists carry only what describes them.
type ItemPhoto struct {
	ID          int64  `db:"id"`
	ItemID      int64  `db:"item_id"`
	ContentType string `db:"content_type"`
	Size        int64  `db:"size"`
	SHA256      []byte `db:"sha256"`
	// UploadedBy is the staff account that uploaded it; nil for a staff token.
	UploadedBy     *int64    `db:"uploaded_by"`
	UploadedByName *string   `db:"uploaded_by_name"`
	UploadedAt     time.Time `db:"uploaded_at"`
}

// ETag is the photo's entity tag: its bytes never change, so their hash names them.
func (p *ItemPhoto) ETag() string { return fmt.Sprintf(`"%x"`, p.SHA256) }

// PhotoFile is one uploaded file as received: the name the browser gave it (for messages
// only: the content decides what it is), its size, and its bytes. Data holds at most
// MaxPhotoBytes+1 bytes, so a file over the limit is known without reading all of it.
type PhotoFile struct {
	Name string
	Size int64
	Data []byte
}

// SniffPhoto returns the content type of a JPEG, PNG or WebP image by its first bytes, or ""
// for anything else. The name and the type a browser claims are never trusted.
func SniffPhoto(data []byte) string {
	switch {
	case len(data) >= 3 && bytes.Equal(data[:3], []byte{0xFF, 0xD8, 0xFF}):
		return PhotoJPEG
	case len(data) >= 8 && bytes.Equal(data[:8], []byte("\x89PNG\r\n\x1a\n")):
		return PhotoPNG
	case len(data) >= 16 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP" && string(data[12:15]) == "VP8":
		return PhotoWebP
	}
	return ""
}

// ValidatePhotos checks files to add to an item that has existing photos: each is a JPEG, PNG
// or WebP of at most MaxPhotoBytes, and the item keeps at most MaxItemPhotos. Errors are on
// "photos" (none, too many) and "photos.N" (the N-th file), and name the file.
func ValidatePhotos(files []PhotoFile, existing int) error {
	var f fieldErrors
	if len(files) == 0 {
		f.add("photos", "choose one or more photos to add")
		return f.Err()
	}
	if existing+len(files) > MaxItemPhotos {
		f.add("photos", "an item has at most %d photos; it has %d, so add at most %d", MaxItemPhotos, existing, max(MaxItemPhotos-existing, 0))
		return f.Err()
	}
	for i, p := range files {
		field := fmt.Sprintf("photos.%d", i)
		name := p.Name
		if r := []rune(name); len(r) > 60 {
			name = string(r[:60]) + "…"
		}
		if name == "" {
			name = fmt.Sprintf("file %d", i+1)
		}
		switch {
		case p.Size > MaxPhotoBytes:
			f.add(field, "%s is %.1f MB; a photo is at most %d MB", name, float64(p.Size)/(1<<20), MaxPhotoBytes>>20)
		case p.Size == 0 || len(p.Data) == 0:
			f.add(field, "%s is empty", name)
		case int64(len(p.Data)) != p.Size:
			f.add(field, "%s was not received whole; send it again", name)
		case SniffPhoto(p.Data) == "":
			f.add(field, "%s is not a JPEG, PNG or WebP image", name)
		}
	}
	return f.Err()
}

// PhotoService keeps the photos of returned items. Staff see and change their own store's
// items' photos only; another store's are not found.
type PhotoService interface {
	// AddItemPhotos adds photos to an item of the staff's store, all or none. A file the item
	// already has (the same bytes) is not added twice.
	AddItemPhotos(ctx context.Context, item int64, files []PhotoFile) ([]*ItemPhoto, error)
	// ItemPhotos are the photos of each item, oldest first, without their bytes.
	ItemPhotos(ctx context.Context, itemIDs []int64) ([][]*ItemPhoto, error)
	// ItemPhotoData is one photo with its bytes.
	ItemPhotoData(ctx context.Context, photo int64) (*ItemPhoto, []byte, error)
	// DeleteItemPhoto removes a photo and returns it, without its bytes.
	DeleteItemPhoto(ctx context.Context, photo int64) (*ItemPhoto, error)
}
