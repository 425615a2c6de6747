package form

import (
	"net/http"

	sc "github.com/secondchance/secondchance"
)

// Login reads the login form: email and password; the client's address is the caller's.
func Login(r *http.Request) sc.LoginInput {
	return sc.LoginInput{Email: r.PostForm.Get("email"), Password: r.PostForm.Get("password")}
}

// LoginFields are the login form's inputs.
var LoginFields = []string{"email", "password"}
