package api

// declareRenewal declares the product lifecycle routes (REN-2, REN-4,
// PRD-4): auto-renewal, termination and the timeline.
func (s *server) declareRenewal() {}
