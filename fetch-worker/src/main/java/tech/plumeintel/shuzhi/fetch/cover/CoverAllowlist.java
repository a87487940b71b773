package tech.plumeintel.shuzhi.fetch.cover;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * Where covers may be downloaded from: known image hosts (and their subdomains) over https, or
 * anywhere under a configured source base URL. A cover URL comes from a source's answer, so without
 * this a crafted page could make the worker fetch any address, internal ones included.
 */
record CoverAllowlist(List<String> hosts, List<String> bases) {

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
    if (!"https".equals(uri.getScheme())) {
      return false;
    }
    var host = uri.getHost().toLowerCase(Locale.ROOT);
    for (var allowed : hosts) {
      if (host.equals(allowed) || host.endsWith("." + allowed)) {
        return true;
      }
    }
    return false;
  }
}
