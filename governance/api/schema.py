"""The OpenAPI description: the token scheme, and the one error format documented on every operation."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

from .exceptions import STABLE_CODES


class ErrorSerializer(serializers.Serializer):
    """Every error of the API has this form."""

    code = serializers.ChoiceField(choices=STABLE_CODES, help_text=_("Stabil felkod att programmera mot."))
    message = serializers.CharField(help_text=_("Felet på svenska."))
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_("Ogiltiga fält med sina fel (bara vid code=validation_error)."),
    )

    class Meta:
        ref_name = "Error"


#: The errors any operation can answer, and those of writes.
READ_ERRORS = ("400", "401", "403", "404", "405", "406", "429")
WRITE_ERRORS = ("409", "415")


class ApiAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = READ_ERRORS + (WRITE_ERRORS if self.method in ("POST", "PUT", "PATCH", "DELETE") else ())
        for code in codes:
            responses.setdefault(
                code, self._get_response_for_code(ErrorSerializer, code, direction=direction)
            )
        return responses


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "governance.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": str(
                _("”Token <nyckel>” eller ”Bearer <nyckel>”. Skapa nyckeln under API-nycklar.")
            ),
        }
