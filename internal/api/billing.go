package api

// declareBilling declares the billing routes (PRD-2, PRD-3, BIL-1..6,
// BIL-9): orders, the to-pay list, payments, invoices, payment methods and
// the prepaid account.
func (s *server) declareBilling() {}
