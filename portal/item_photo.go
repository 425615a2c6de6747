package portal

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/portal/form"
)

// itemPhotoAdd adds the photos uploaded on an item's page to the item; a file that is not a
// photo, or too large, or one too many, is refused beside the file input and nothing is added.
func (h *Handler) itemPhotoAdd(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := pathID(r)
	files, err := form.Photos(r)
	if err == nil {
		var added []*sc.ItemPhoto
		if added, err = h.services.Photos.AddItemPhotos(ctx, id, files); err == nil {
			msg := fmt.Sprintf("Added %d photo(s).", len(added))
			if again := len(files) - len(added); again > 0 {
				msg += fmt.Sprintf(" %d the item had already were not added twice.", again)
			}
			h.flash(ctx, msg)
			h.done(w, r, Prefix+"/items/"+itoa(id)+"#photos-h")
			return
		}
	}
	err = onePhotosError(err)
	h.formErrorWith(w, r, &page{}, err, []string{"photos"}, func(p *page) { h.renderItem(w, r, statusOfErr(err), p) })
}

// onePhotosError puts the errors about each file (photos.N) together on the one file input,
// so that each file's message shows beside it.
func onePhotosError(err error) error {
	es := sc.AsErrors(err)
	if len(es) == 0 {
		return err
	}
	var out sc.Errors
	var photos *sc.Error
	for _, e := range es {
		if e.Field != "photos" && !strings.HasPrefix(e.Field, "photos.") {
			out = append(out, e)
			continue
		}
		if photos == nil {
			photos = &sc.Error{Code: e.Code, Field: "photos", Message: e.Message}
			out = append(out, photos)
			continue
		}
		photos.Message += "; " + e.Message
	}
	return out
}

// photoShow serves a photo of the store's items; another store's is not found. The browser
// keeps it privately and asks again each time (no-cache), so a removed photo or a logged-out
// session shows it no more; its hash (ETag) answers an unchanged one with 304.
func (h *Handler) photoShow(w http.ResponseWriter, r *http.Request) {
	p, data, err := h.services.Photos.ItemPhotoData(r.Context(), pathID(r))
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", p.ContentType)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "private, no-cache")
	hd.Set("ETag", p.ETag())
	hd.Set("Content-Disposition", "inline")
	http.ServeContent(w, r, "", p.UploadedAt, bytes.NewReader(data))
}

// photoDelete removes a photo from its item.
func (h *Handler) photoDelete(w http.ResponseWriter, r *http.Request) {
	p, err := h.services.Photos.DeleteItemPhoto(r.Context(), pathID(r))
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	h.flash(r.Context(), "The photo was removed.")
	h.done(w, r, Prefix+"/items/"+itoa(p.ItemID)+"#photos-h")
}
