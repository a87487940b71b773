package tech.plumeintel.shuzhi.api.web;

import java.io.IOException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;

/**
 * Requests Tomcat refuses before any servlet sees them (an encoded slash in the path, a malformed
 * URI, oversized headers) would get Tomcat's HTML page; they get the contract's JSON instead.
 */
public class JsonErrorReportValve extends ErrorReportValve {

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
      response.setStatus(status);
    }
    var code =
        status == 404
            ? ErrorCode.NOT_FOUND
            : status < 500 ? ErrorCode.INVALID_PARAMS : ErrorCode.SERVER_ERROR;
    var message = status < 500 ? "请求不符合接口要求（" + status + "）" : "服务器出错了，请稍后再试";
    var body = "{\"code\":\"" + code.name() + "\",\"message\":\"" + message + "\"}";
    try {
      response.setContentType("application/json");
      response.setCharacterEncoding("UTF-8");
      var writer = response.getReporter();
      if (writer != null) {
        writer.write(body);
        response.finishResponse();
      }
    } catch (IOException | IllegalStateException e) {
      // The connection is already gone; there is no one to tell.
    }
  }
}
