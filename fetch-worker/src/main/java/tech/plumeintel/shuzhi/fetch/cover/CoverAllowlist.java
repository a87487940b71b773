package tech.plumeintel.shuzhi.fetch.cover;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * Where covers may be downloaded from: known image hosts (and their subdomains) over https on port
 * 443, or anywhere under a configured source base URL. A cover URL comes from a source's answer, so
 * without this a crafted page could make the worker fetch any address, internal ones included.
 *
 * <p>A known host passes only while every address it resolves to is public: whoever controls a
 * name's DNS (or a subdomain's, under a wildcard) could otherwise point it at 127.0.0.1, the cloud
 * metadata address or the internal network (DNS rebinding). The HTTP client then connects to what
 * the JDK's resolver cache holds for the name, the answer checked here (positive answers are kept
 * 30 s by default, {@code networkaddress.cache.ttl}). The configured base URLs are the operator's
 * own choice and are not checked this way: that is how tests reach their stand-ins on loopback.
 *
 * @param resolver how a host name becomes addresses; {@link #SYSTEM} in production (CoverMirror
 *     passes nothing else, and no setting changes it), a table in unit tests
 */
record CoverAllowlist(List<String> hosts, List<String> bases, Resolver resolver) {

  /** Resolves a host name, as {@link InetAddress#getAllByName} does. */
  @FunctionalInterface
  interface Resolver {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  static final Resolver SYSTEM = InetAddress::getAllByName;

  CoverAllowlist {
    hosts = hosts.stream().map(host -> host.toLowerCase(Locale.ROOT)).toList();
    bases = bases.stream().map(base -> base.replaceAll("/+$", "") + "/").toList();
  }

  boolean allows(URI uri) {
    if (uri.getUserInfo() != null || uri.getHost() == null) {
      return false;
    }
    var url = uri.toString();
    for (var base : bases) {
      if (url.startsWith(base)) {
        return true;
      }
    }
    if (!"https".equals(uri.getScheme()) || uri.getPort() != -1 && uri.getPort() != 443) {
      return false;
    }
    var host = uri.getHost().toLowerCase(Locale.ROOT);
    for (var allowed : hosts) {
      if (host.equals(allowed) || host.endsWith("." + allowed)) {
        return resolvesToPublicAddressesOnly(host);
      }
    }
    return false;
  }

  private boolean resolvesToPublicAddressesOnly(String host) {
    InetAddress[] addresses;
    try {
      addresses = resolver.resolve(host);
    } catch (UnknownHostException e) {
      return false;
    }
    if (addresses.length == 0) {
      return false;
    }
    for (var address : addresses) {
      if (!isPublic(address)) {
        return false;
      }
    }
    return true;
  }

  static boolean isPublic(InetAddress address) {
    if (address.isLoopbackAddress()
        || address.isAnyLocalAddress()
        || address.isLinkLocalAddress()
        || address.isSiteLocalAddress()
        || address.isMulticastAddress()) {
      return false;
    }
    var bytes = address.getAddress();
    if (address instanceof Inet6Address) {
      return (bytes[0] & 0xfe) != 0xfc; // fc00::/7, unique local (the JDK knows only fec0::/10)
    }
    int first = bytes[0] & 0xff;
    int second = bytes[1] & 0xff;
    return first != 0 // 0.0.0.0/8, "this network"
        && !(first == 100 && second >= 64 && second < 128) // 100.64.0.0/10, carrier-grade NAT
        && !(first == 198 && (second == 18 || second == 19)); // 198.18.0.0/15, benchmarking
  }
}
