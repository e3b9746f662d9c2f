// Swagger UI over the server's own contract; a file of its own because the page's
// Content-Security-Policy allows no inline script.
window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  persistAuthorization: false,
  tryItOutEnabled: false,
});
