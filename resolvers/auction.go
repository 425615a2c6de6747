package resolvers

import (
	"context"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/graph"
)

// paddle is a lot's leader or winner as the paddle it bid with; nil without one.
func paddle(auction int64, bidder *int64, number *int) *sc.Paddle {
	if bidder == nil || number == nil {
		return nil
	}
	return &sc.Paddle{AuctionID: auction, Number: *number, BidderID: *bidder}
}

func auctionPayload(a *sc.Auction, err error) (*graph.AuctionPayload, error) {
	ues, err := userErrors(err)
	if err != nil {
		return nil, err
	}
	return &graph.AuctionPayload{Auction: a, UserErrors: ues}, nil
}

func lotPayload(l *sc.Lot, err error) (*graph.LotPayload, error) {
	ues, err := userErrors(err)
	if err != nil {
		return nil, err
	}
	return &graph.LotPayload{Lot: l, UserErrors: ues}, nil
}

func bidderPayload(b *sc.Bidder, err error) (*graph.BidderPayload, error) {
	ues, err := userErrors(err)
	if err != nil {
		return nil, err
	}
	return &graph.BidderPayload{Bidder: b, UserErrors: ues}, nil
}

func offerPayload(o *sc.SecondChanceOffer, err error) (*graph.SecondChanceOfferPayload, error) {
	ues, err := userErrors(err)
	if err != nil {
		return nil, err
	}
	return &graph.SecondChanceOfferPayload{Offer: o, UserErrors: ues}, nil
}

// changeAuction decodes an auction's ID and runs a change to it.
func (r *mutationResolver) changeAuction(ctx context.Context, id string, change func(context.Context, int64) (*sc.Auction, error)) (*graph.AuctionPayload, error) {
	n, err := sc.ParseGlobalIDOf(id, sc.KindAuction, "id")
	var a *sc.Auction
	if err == nil {
		a, err = change(ctx, n)
	}
	return auctionPayload(a, argumentField(err, "auction"))
}

// changeLot decodes a lot's ID and runs a change to it.
func (r *mutationResolver) changeLot(ctx context.Context, id string, change func(context.Context, int64) (*sc.Lot, error)) (*graph.LotPayload, error) {
	n, err := sc.ParseGlobalIDOf(id, sc.KindLot, "id")
	var l *sc.Lot
	if err == nil {
		l, err = change(ctx, n)
	}
	return lotPayload(l, argumentField(err, "lot"))
}

// argumentField names the mutation's id argument where the service named the object (field):
// the client sent it as id.
func argumentField(err error, field string) error {
	es := sc.AsErrors(err)
	if es == nil {
		return err
	}
	for _, e := range es {
		if e.Field == field {
			e.Field = "id"
		}
	}
	return es
}
