package secondchance

// Codes makes the codes people read out and type: the RMA codes buyers write on parcels and the
// verification codes printed on certificates. Real data always gets RandomCodes, which nobody
// can guess; only the demo data set is loaded with fixed ones, so that the README's examples
// (which show its codes) work on every machine.
type Codes interface {
	RMACode() string
	VerificationCode() string
}

// RandomCodes makes codes from crypto/rand: NewRMACode and NewVerificationCode.
type RandomCodes struct{}

// RMACode implements Codes.
func (RandomCodes) RMACode() string { return NewRMACode() }

// VerificationCode implements Codes.
func (RandomCodes) VerificationCode() string { return NewVerificationCode() }
