package api

import (
	"net"
	"net/netip"

	"github.com/labstack/echo/v4"
)

// clientAddress decides where a request comes from, for rate limits and
// logs. Without trusted proxies it is the socket's address: forwarded
// headers are set by the client and would let anyone pick a new address per
// request. With proxies named by the operator, X-Forwarded-For is walked
// from the right and the first hop that is not a trusted proxy wins.
func clientAddress(trusted []netip.Prefix) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	// echo trusts loopback, link-local and private networks by default:
	// only what the operator named is trusted here.
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range trusted {
		opts = append(opts, echo.TrustIPRange(&net.IPNet{
			IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen()),
		}))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}
