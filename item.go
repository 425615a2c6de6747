package secondchance

import "fmt"

// ItemStatus is where a returned item is in its life. The allowed steps between statuses are
// the one table itemSteps below; every writer of an item's status asks it (Step), so that a
// new status (auctions add some) is added in one place.
type ItemStatus string

// Item statuses.
const (
	ItemReceived ItemStatus = "RECEIVED"
	ItemListed   ItemStatus = "LISTED"
	ItemSold     ItemStatus = "SOLD"
	ItemSettled  ItemStatus = "SETTLED"
	ItemRecycled ItemStatus = "RECYCLED"
)

// ItemStatuses lists every status, in the order of an item's life.
var ItemStatuses = []ItemStatus{ItemReceived, ItemListed, ItemSold, ItemSettled, ItemRecycled}

// Sold says whether an item in this status counts as sold in the store's totals: it has a live
// sale. The store's totals triggers count the same statuses (a test holds them together).
func (s ItemStatus) Sold() bool { return s == ItemSold || s == ItemSettled }

// ItemAction is a step staff take with a returned item.
type ItemAction string

// Item actions.
const (
	ItemRoute    ItemAction = "route"
	ItemSell     ItemAction = "sell"
	ItemVoidSale ItemAction = "void the sale of"
	ItemSettle   ItemAction = "settle"
)

// EITEMSTATE: the item is not in the state the action needs (e.g. selling an item already sold).
const EITEMSTATE = "ITEM_STATE"

// itemSteps is the item lifecycle: for each action, the statuses it may start from and those it
// may lead to.
var itemSteps = map[ItemAction]struct{ from, to []ItemStatus }{
	ItemRoute:    {from: []ItemStatus{ItemReceived, ItemListed}, to: []ItemStatus{ItemListed, ItemRecycled}},
	ItemSell:     {from: []ItemStatus{ItemListed}, to: []ItemStatus{ItemSold}},
	ItemVoidSale: {from: []ItemStatus{ItemSold}, to: []ItemStatus{ItemListed}},
	ItemSettle:   {from: []ItemStatus{ItemSold}, to: []ItemStatus{ItemSettled}},
}

// Step checks that action may take an item from status from to status to, and returns
// ITEM_STATE on field (the input that named the item) when it may not.
func (a ItemAction) Step(field string, from, to ItemStatus) error {
	step, ok := itemSteps[a]
	if !ok {
		return fmt.Errorf("unknown item action %q", a)
	}
	if !contains(step.to, to) {
		return fmt.Errorf("item action %q cannot lead to %s", a, to)
	}
	if !contains(step.from, from) {
		return FieldErrorf(field, EITEMSTATE, "the item is %s; only an item that is %s can be %s", from, orList(step.from), a.pastTense())
	}
	return nil
}

// From lists the statuses action may start from.
func (a ItemAction) From() []ItemStatus { return itemSteps[a].from }

func (a ItemAction) pastTense() string {
	switch a {
	case ItemRoute:
		return "routed"
	case ItemSell:
		return "sold"
	case ItemVoidSale:
		return "unsold"
	case ItemSettle:
		return "settled"
	}
	return string(a) + "ed"
}

func contains(ss []ItemStatus, s ItemStatus) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func orList(ss []ItemStatus) string {
	out := ""
	for i, s := range ss {
		switch {
		case i == 0:
		case i == len(ss)-1:
			out += " or "
		default:
			out += ", "
		}
		out += string(s)
	}
	return out
}
