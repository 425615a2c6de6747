package form

import (
	"net/http"

	sc "github.com/secondchance/secondchance"
)

// Invite reads a store manager's invitation form; the store is the manager's own.
func Invite(r *http.Request) sc.InviteInput {
	return sc.InviteInput{Email: r.PostForm.Get("email"), Name: r.PostForm.Get("name"), Role: sc.StaffRole(r.PostForm.Get("role"))}
}

// InviteFields are its inputs.
var InviteFields = []string{"email", "name", "role"}
