/**
 * The HTTP shapes every runtime speaks: API Gateway HTTP API (payload 2.0) events and results.
 * Lambda gets them from API Gateway, serverless-offline emulates them, and the node:http
 * adapter builds them, so one handler serves all three.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2 & {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
};
export type LambdaContext = Context;

export function jsonResult(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return { statusCode, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

export function textResult(statusCode: number, body: string, contentType: string): HttpResult {
  return { statusCode, headers: { 'content-type': contentType }, body };
}
