package form

import (
	"net/http"

	sc "github.com/secondchance/secondchance"
)

// SetPassword reads the form that sets a password with an invitation's or a reset's link.
func SetPassword(r *http.Request, token string) sc.SetPasswordInput {
	return sc.SetPasswordInput{Token: token, Password: r.PostForm.Get("password"), Confirm: r.PostForm.Get("confirm")}
}

// SetPasswordFields are its inputs.
var SetPasswordFields = []string{"password", "confirm"}

// PasswordResetRequest reads the email of the form that asks for a reset link.
func PasswordResetRequest(r *http.Request) string { return r.PostForm.Get("email") }
