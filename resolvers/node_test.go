package resolvers

import (
	"testing"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/graph"
)

// TestNodeRolesFollowTheSchema: every own field exists and node takes its roles from it.
func TestNodeRolesFollowTheSchema(t *testing.T) {
	t.Parallel()
	roles, err := ownFieldRoles(graph.NewExecutableSchema(graph.Config{}).Schema())
	require.NoError(t, err)
	require.Equal(t, []sc.Role{sc.RoleSeller, sc.RoleAdmin}, roles[sc.KindBatch])
	require.Equal(t, []sc.Role{sc.RoleSeller, sc.RoleStaff, sc.RoleAdmin}, roles[sc.KindStore])
	require.Len(t, roles, len(ownFields))
}
