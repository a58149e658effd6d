package cert



// Kind is which of the two certificates of one pass.
type Kind string

const (
	KindTaxi        Kind = "taxi"         // 巡游出租汽车驾驶员从业资格证
	KindRideHailing Kind = "ride_hailing" // 网络预约出租汽车驾驶员证
)

// Kinds lists both, in the order they are shown.
var Kinds = []Kind{KindTaxi, KindRideHailing}

// Valid reports a known kind.
func (k Kind) Valid() bool { return k == KindTaxi || k == KindRideHailing }

// Title is the certificate's printed name.
func (k Kind) Title() string {
	if k == KindRideHailing {
		return "网络预约出租汽车驾驶员证"
	}
	return "出租汽车驾驶员从业资格证（巡游）"
}

// Licence type codes of the national e-licence catalogue (GB/T 36904).
const (
	TypeCodeTaxi        = "1.2.156.3005.2.11100000000019713D075" // 巡游出租汽车驾驶员从业资格证
	TypeCodeRideHailing = "1.2.156.3005.2.11100000000019713D072" // 网络预约出租汽车驾驶员证
)

// TypeCode is the kind's licence type code.
func (k Kind) TypeCode() string {
	if k == KindRideHailing {
		return TypeCodeRideHailing
	}
	return TypeCodeTaxi
}
