package resolvers

import (
	"context"
	"fmt"
	"sync"

	"github.com/vektah/gqlparser/v2/ast"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/graph"
)

// ownFields names, for each kind that has one, the Query field that reads it directly. node(id:)
// holds such a kind to that field's @hasRole, read from the schema itself, so the two paths
// keep one rule however the schema changes. Kinds without an own field are read only through
// node and their relations, and their service's scope is the rule.
var ownFields = map[string]string{
	sc.KindSeller:      "seller",
	sc.KindOrder:       "order",
	sc.KindReport:      "report",
	sc.KindBatch:       "batch",
	sc.KindStore:       "returnAddress",
	sc.KindCertificate: "certificates",
	sc.KindAuction:     "auctions",
	sc.KindLot:         "auctions",
	sc.KindOffer:       "auctions",
	sc.KindBidder:      "bidders",
}

// nodeRoles is, per kind with an own field, the roles that field admits (nil: any caller).
var nodeRoles = sync.OnceValues(func() (map[string][]sc.Role, error) {
	return ownFieldRoles(graph.NewExecutableSchema(graph.Config{}).Schema())
})

// ownFieldRoles reads the @hasRole of every own field from schema.
func ownFieldRoles(schema *ast.Schema) (map[string][]sc.Role, error) {
	out := map[string][]sc.Role{}
	for kind, name := range ownFields {
		f := schema.Query.Fields.ForName(name)
		if f == nil {
			return nil, fmt.Errorf("node: Query.%s, the own field of %s, is not in the schema", name, kind)
		}
		d := f.Directives.ForName("hasRole")
		if d == nil {
			out[kind] = nil
			continue
		}
		arg := d.Arguments.ForName("roles")
		if arg == nil || arg.Value == nil {
			return nil, fmt.Errorf("node: Query.%s has @hasRole without roles", name)
		}
		roles := []sc.Role{}
		for _, c := range arg.Value.Children {
			roles = append(roles, sc.Role(c.Value.Raw))
		}
		out[kind] = roles
	}
	return out, nil
}

// requireNodeRoles answers for node(id:) of kind what the kind's own field answers the caller
// for its role: UNAUTHENTICATED, FORBIDDEN or nothing.
func requireNodeRoles(ctx context.Context, kind string) error {
	roles, err := nodeRoles()
	if err != nil {
		return err
	}
	if rs, ok := roles[kind]; ok && rs != nil {
		_, err := sc.RequireRole(ctx, rs...)
		return err
	}
	return nil
}
