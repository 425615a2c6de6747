package form

import (
	"fmt"
	"io"
	"mime/multipart"
	"net/http"

	sc "github.com/secondchance/secondchance"
)

// Photos reads the files of the photo upload (input "photos", multipart). It reads at most
// sc.MaxPhotoBytes+1 bytes of each, so a file over the limit is known as such without being
// read whole; what the files are is the service's to check (sc.ValidatePhotos).
func Photos(r *http.Request) ([]sc.PhotoFile, error) {
	if r.MultipartForm == nil {
		return nil, sc.FieldErrorf("photos", sc.EINVALID, "the form sent no files; choose photos and send it again")
	}
	var out []sc.PhotoFile
	for _, fh := range r.MultipartForm.File["photos"] {
		if fh.Filename == "" && fh.Size == 0 {
			continue // the browser sends an empty part when no file was chosen
		}
		f, err := readPhoto(fh)
		if err != nil {
			return nil, sc.FieldErrorf(fmt.Sprintf("photos.%d", len(out)), sc.EINVALID, "%s could not be read; send it again", fh.Filename)
		}
		out = append(out, f)
	}
	return out, nil
}

func readPhoto(fh *multipart.FileHeader) (sc.PhotoFile, error) {
	file, err := fh.Open()
	if err != nil {
		return sc.PhotoFile{}, err
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, sc.MaxPhotoBytes+1))
	if err != nil {
		return sc.PhotoFile{}, err
	}
	size := int64(len(data))
	if size > sc.MaxPhotoBytes {
		size = max(fh.Size, size)
	}
	return sc.PhotoFile{Name: fh.Filename, Size: size, Data: data}, nil
}
