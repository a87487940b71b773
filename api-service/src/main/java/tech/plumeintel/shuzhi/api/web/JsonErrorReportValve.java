package tech.plumeintel.shuzhi.api.web;

import java.io.IOException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;

/**
 * Requests Tomcat refuses before any servlet sees them (an encoded slash in the path, a malformed
 * URI, oversized headers) would get Tomcat's HTML page; they get the contract's JSON instead.
 * Installed by {@link TomcatErrorPages}, which hands it the application's writer.
 */
final class JsonErrorReportValve extends ErrorReportValve {

  private final ErrorResponses errors;

  JsonErrorReportValve(ErrorResponses errors) {
    this.errors = errors;
  }

  @Override
  protected void report(Request request, Response response, Throwable throwable) {
    int status = response.getStatus();
    if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
      return;
    }
    if (status == 501 || status == 505) {
      // Tomcat's answer to a transfer coding or an HTTP version it does not speak: the client's
      // request is at fault, and a 5xx would page whoever watches our error rate.
      status = 400;
    }
    try {
      errors.write(response, errors.answer(status));
      response.finishResponse();
    } catch (IOException | IllegalStateException e) {
      // The connection is already gone; there is no one to tell.
    }
  }
}
