package resolvers

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"github.com/secondchance/secondchance/graph"
)

// fanOut is n fragments, each spreading the next twice: 2ⁿ selections once expanded.
func fanOut(n int) string {
	var b strings.Builder
	b.WriteString("query { me { ...f0 } }\n")
	for i := range n {
		fmt.Fprintf(&b, "fragment f%d on Viewer { role ...f%d ...f%d }\n", i, i+1, i+1)
	}
	fmt.Fprintf(&b, "fragment f%d on Viewer { role }\n", n)
	return b.String()
}

// TestDepthOfAFragmentFanOut: the depth limit walks each fragment once; before, a fan-out of
// 40 would have walked 2⁴⁰ spreads.
func TestDepthOfAFragmentFanOut(t *testing.T) {
	t.Parallel()
	schema := graph.NewExecutableSchema(graph.Config{Resolvers: &Resolver{}}).Schema()
	doc, errs := gqlparser.LoadQueryWithRules(schema, fanOut(40), rules.NewDefaultRules())
	require.Empty(t, errs)
	require.Equal(t, 2, (depthCounter{}).selectionDepth(doc.Operations[0].SelectionSet))

	err := checkQueryBounds(fanOut(40))
	require.NotNil(t, err)
	require.Equal(t, CodeQueryTooLarge, err.Extensions["code"])
}

func TestCheckQueryBounds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, query string
		ok          bool
	}{
		{"OK small", `{ me { role } }`, true},
		{"OK at the repeat limit", "{" + strings.Repeat(" me { role }", MaxRepeats) + " }", true},
		{"ErrOverTheRepeatLimit", "{" + strings.Repeat(" me { role }", MaxRepeats+1) + " }", false},
		{"ErrRepeatsThroughFragments", "{ ...a ...b } fragment a on Query {" + strings.Repeat(" __typename", 6) + " } fragment b on Query {" + strings.Repeat(" __typename", 6) + " }", false},
		{"ErrRepeatsInAnInlineFragment", "{ me { ... on Viewer {" + strings.Repeat(" role", 6) + " } " + strings.Repeat(" role", 6) + " } }", false},
		{"ErrTokens", "{" + strings.Repeat(" a: __typename", MaxTokens/3+1) + " }", false},
		{"ErrFragments", "{ __typename }" + strings.Repeat(" fragment f on Query { __typename }", MaxFragments+1), false},
		{"OK a cycle is left to validation", `{ ...a } fragment a on Query { ...b } fragment b on Query { ...a }`, true},
		{"OK a parse failure is left to gqlgen", `{ me { `, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkQueryBounds(tc.query)
			if tc.ok {
				require.Nil(t, err)
				return
			}
			require.NotNil(t, err)
			require.Equal(t, CodeQueryTooLarge, err.Extensions["code"])
		})
	}
}
