package demo

import (
	"context"
	"fmt"

	"github.com/alpage/alpage/internal/app"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/money"
)

// bill gives Muster Hosting a billing history, once: a saved test Visa, a
// prepaid balance, a domain ordered and paid by card (an invoice), an order
// waiting to be paid and one waiting for a bank transfer (a pro-forma with a
// QR-bill). It does nothing when the organization has orders already.
func bill(ctx context.Context, a *app.App, adaID, orgID string) error {
	var n int
	if err := a.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM orders WHERE organization_id = $1`, orgID).Scan(&n); err != nil {
		return fmt.Errorf("demo: counting orders: %w", err)
	}
	if n > 0 {
		return nil
	}
	meta := audit.Meta{ActorID: adaID, UserAgent: "alpage-demo"}
	card, err := a.Billing.AddTestCard(ctx, adaID, orgID, "4242424242424242", meta)
	if err != nil {
		return fmt.Errorf("demo: saving the test card: %w", err)
	}
	deposit, err := money.Parse("50.00", "CHF")
	if err != nil {
		return err
	}
	if _, err := a.Billing.Deposit(ctx, adaID, orgID, billing.DepositInput{Amount: deposit, PaymentMethodID: card.ID}, meta); err != nil {
		return fmt.Errorf("demo: the prepaid deposit: %w", err)
	}
	order := func(name, period string) (billing.Order, error) {
		o, err := a.Billing.CreateOrder(ctx, adaID, orgID, "CHF",
			[]billing.OrderItem{{Type: "domain", Name: name, Period: period}}, meta)
		if err != nil {
			return o, fmt.Errorf("demo: ordering %s: %w", name, err)
		}
		return o, nil
	}
	paid, err := order("muster-shop.ch", "2y")
	if err != nil {
		return err
	}
	if _, err := a.Billing.Pay(ctx, adaID, orgID, billing.PayInput{Items: []billing.PayItem{{OrderID: paid.ID}},
		PaymentMethodID: card.ID}, meta); err != nil {
		return fmt.Errorf("demo: paying muster-shop.ch: %w", err)
	}
	byTransfer, err := order("muster-events.ch", "1y")
	if err != nil {
		return err
	}
	if _, err := a.Billing.Pay(ctx, adaID, orgID, billing.PayInput{Items: []billing.PayItem{{OrderID: byTransfer.ID}},
		Method: billing.MethodIBAN}, meta); err != nil {
		return fmt.Errorf("demo: the pro-forma of muster-events.ch: %w", err)
	}
	_, err = order("muster-blog.ch", "1y")
	return err
}
