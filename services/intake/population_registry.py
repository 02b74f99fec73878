"""Client for the population registry's public verification service (NVİ "KPSPublic", SOAP): does
this national id belong to a person of this name, surname and birth year (or birth date)?

The real service, two ASP.NET .asmx endpoints (document/literal, namespace
``http://tckimlik.nvi.gov.tr/WS``), each with a SOAP 1.1 and a SOAP 1.2 binding:

* ``https://tckimlik.nvi.gov.tr/Service/KPSPublic.asmx`` (service ``KPSPublic``, bindings
  ``KPSPublicSoap`` and ``KPSPublicSoap12``) — citizens:
  ``TCKimlikNoDogrula(TCKimlikNo: long, Ad: string, Soyad: string, DogumYili: int)
  -> TCKimlikNoDogrulaResult: boolean``, SOAPAction ``http://tckimlik.nvi.gov.tr/WS/TCKimlikNoDogrula``.
* ``https://tckimlik.nvi.gov.tr/Service/KPSPublicYabanciDogrula.asmx`` (service
  ``KPSPublicYabanciDogrula``, bindings ``KPSPublicYabanciDogrulaSoap`` and
  ``KPSPublicYabanciDogrulaSoap12``) — foreigners' ids (YKN, starting with 99):
  ``YabanciKimlikNoDogrula(KimlikNo: long, Ad: string, Soyad: string, DogumGun: int?, DogumAy: int?,
  DogumYil: int) -> YabanciKimlikNoDogrulaResult: boolean``, SOAPAction
  ``http://tckimlik.nvi.gov.tr/WS/YabanciKimlikNoDogrula``.

The registry compares names exactly and expects them in Turkish upper case ("i" → "İ", "ı" → "I");
this client sends them as given, so upper-casing is the caller's job.

Why it is built this way:

* The published WSDLs are kept in the repository (``wsdl/``, packaged with the code): starting a
  service never fetches a WSDL, and a change on NVİ's side cannot change our client unseen. The
  address comes from ``base_url`` (``create_service``), so tests point the same client at a fake.
* One call never takes longer than ``timeout``: connect and read share that one budget (the read
  gets what the connect left), and under eventlet (how the services run) a deadline also stops an
  answer that trickles in byte by byte.
* Whatever goes wrong (no connection, no answer in time, HTTP error, SOAP fault, unreadable XML,
  an answer without a boolean) is ``RegistryUnavailable``: the caller decides what an
  unverifiable identity means. Its text names the operation and the kind of failure, never the
  national id, the names or what the registry answered.
* zeep logs each envelope it posts and receives at DEBUG; the transport here replaces that post
  and logs nothing, so a person's data never reaches a log at any level.
"""
import datetime
import re
import threading
from pathlib import Path
from typing import Any

import eventlet
import requests
import urllib3
import zeep
import zeep.exceptions
from zeep.proxy import ServiceProxy

__all__ = ["PopulationRegistry", "RegistryUnavailable", "WSDL_DIRECTORY"]

WSDL_DIRECTORY = Path(__file__).with_name("wsdl")
NAMESPACE = "http://tckimlik.nvi.gov.tr/WS"
SOAP_VERSIONS = ("1.1", "1.2")
NATIONAL_ID = re.compile(r"[1-9][0-9]{10}")
# xs:boolean's lexical forms; zeep reads anything but "true" and "1" as false.
BOOLEAN_WORDS = frozenset({"true", "false", "1", "0"})
# What SOAP 1.1 and 1.2 answers (faults included) come as.
SOAP_MEDIA_TYPES = frozenset({"text/xml", "application/soap+xml"})


class RegistryUnavailable(Exception):
    """The registry could not tell: unreachable, too slow, an HTTP error, a SOAP fault or an
    answer without a boolean. The text never holds personal data or the registry's answer."""


class _NotABoolean(Exception):
    """The registry's answer has no xs:boolean where its result should be."""


class _Endpoint:
    """One .asmx service: its WSDL file, its address under the base URL, its operation."""

    def __init__(self, service: str, operation: str):
        self.service = service
        self.operation = operation
        self.wsdl = WSDL_DIRECTORY / f"{service}.wsdl"
        self.result = f"{{{NAMESPACE}}}{operation}Result"

    def binding(self, soap_version: str) -> str:
        return f"{{{NAMESPACE}}}{self.service}Soap{'12' if soap_version == '1.2' else ''}"

    def address(self, base_url: str) -> str:
        return f"{base_url.rstrip('/')}/{self.service}.asmx"


CITIZENS = _Endpoint("KPSPublic", "TCKimlikNoDogrula")
FOREIGNERS = _Endpoint("KPSPublicYabanciDogrula", "YabanciKimlikNoDogrula")


class PopulationRegistry:
    """``verify_citizen`` and ``verify_foreigner`` against the registry at ``base_url`` (the
    directory of the two .asmx files, e.g. ``https://tckimlik.nvi.gov.tr/Service``).

    The zeep clients are made on first use and kept; both share one ``requests.Session``, so
    calls reuse its kept-alive connections. Safe to share between threads and green threads."""

    def __init__(self, base_url: str, timeout: float = 3.0, soap_version: str = "1.1"):
        if soap_version not in SOAP_VERSIONS:
            raise ValueError(f"soap_version must be one of {', '.join(SOAP_VERSIONS)}, not {soap_version!r}")
        if not timeout > 0 or timeout == float("inf"):
            raise ValueError(f"timeout must be a positive number of seconds, not {timeout!r}")
        self.base_url = base_url
        self.timeout = timeout
        self.soap_version = soap_version
        self._lock = threading.Lock()
        self._session: requests.Session | None = None
        self._services: dict[str, ServiceProxy] = {}

    def verify_citizen(self, national_id: str, first_name: str, last_name: str, birth_year: int,
                       timeout: float | None = None) -> bool:
        """Whether the registry knows a citizen with this national id (TCKN), these names (as given)
        and this birth year. ``timeout``: this call's limit, when shorter than the client's (under
        eventlet, as the services run: the caller's deadline is nearer)."""
        return self._verify(
            CITIZENS, timeout, TCKimlikNo=_national_id(national_id), Ad=first_name, Soyad=last_name,
            DogumYili=birth_year,
        )

    def verify_foreigner(self, national_id: str, first_name: str, last_name: str, birth_date: datetime.date,
                         timeout: float | None = None) -> bool:
        """Whether the registry knows a foreigner with this id (YKN, 99…), these names (as given)
        and this birth date; ``timeout`` as for ``verify_citizen``."""
        return self._verify(
            FOREIGNERS,
            timeout,
            KimlikNo=_national_id(national_id),
            Ad=first_name,
            Soyad=last_name,
            DogumGun=birth_date.day,
            DogumAy=birth_date.month,
            DogumYil=birth_date.year,
        )

    def _verify(self, endpoint: _Endpoint, timeout: float | None, **arguments: object) -> bool:
        # Built outside the try: a broken WSDL file is our bug, not the registry being away.
        operation = getattr(self._service(endpoint), endpoint.operation)
        failure = f"population registry ({endpoint.operation})"
        limit = self.timeout if timeout is None else min(timeout, self.timeout)
        deadline = eventlet.Timeout(limit)
        try:
            answer = operation(**arguments)
        except eventlet.Timeout as expired:
            if expired is not deadline:
                raise
            raise RegistryUnavailable(f"{failure}: no answer within {limit:g} s") from None
        except requests.Timeout:
            raise RegistryUnavailable(f"{failure}: no answer within {limit:g} s") from None
        except requests.RequestException as error:
            # Its text may quote the request; the type is enough to act on.
            raise RegistryUnavailable(f"{failure}: {type(error).__name__}") from None
        except _NotABoolean:
            raise RegistryUnavailable(f"{failure}: an answer without a boolean") from None
        except zeep.exceptions.Fault:
            raise RegistryUnavailable(f"{failure}: SOAP fault") from None
        except zeep.exceptions.TransportError as error:
            # zeep gives a 200 that is not XML as a TransportError too
            reason = f"HTTP {error.status_code}" if error.status_code >= 400 else "an unreadable answer"
            raise RegistryUnavailable(f"{failure}: {reason}") from None
        except zeep.exceptions.Error:  # not an envelope, a DTD or entities, unexpected elements…
            raise RegistryUnavailable(f"{failure}: an unreadable answer") from None
        finally:
            deadline.cancel()
        if not isinstance(answer, bool):
            raise RegistryUnavailable(f"{failure}: an answer without a boolean") from None
        return answer

    def _service(self, endpoint: _Endpoint) -> ServiceProxy:
        with self._lock:
            service = self._services.get(endpoint.service)
            if service is None:
                if self._session is None:
                    self._session = requests.Session()
                client = zeep.Client(
                    wsdl=str(endpoint.wsdl),
                    transport=_QuietBoundedTransport(
                        timeout=self.timeout, operation_timeout=self.timeout, session=self._session
                    ),
                    settings=zeep.Settings(forbid_dtd=True, forbid_entities=True, forbid_external=True),
                    plugins=[_BooleanAnswers(endpoint.result)],
                )
                service = client.create_service(endpoint.binding(self.soap_version), endpoint.address(self.base_url))
                self._services[endpoint.service] = service
            return service


class _QuietBoundedTransport(zeep.Transport):
    """zeep's transport with one time budget for connect and read together
    (``operation_timeout``), and without zeep's DEBUG logging of the envelopes (personal data).

    An HTTP error that is not a SOAP answer (IIS's or a proxy's error page) is a TransportError
    with its status: zeep would read a well-formed HTML page as an unknown SOAP fault."""

    def post(self, address: str, message: bytes | str, headers: dict[str, str]) -> requests.Response:
        response = self.session.post(
            address, data=message, headers=headers, timeout=urllib3.Timeout(total=self.operation_timeout)
        )
        media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if response.status_code >= 400 and media_type not in SOAP_MEDIA_TYPES:
            raise zeep.exceptions.TransportError(status_code=response.status_code)
        return response


class _BooleanAnswers(zeep.Plugin):
    """Refuses a result that is not an xs:boolean ("yes", "maybe"), which zeep would read as false;
    a missing or empty one reaches ``_verify`` as None."""

    def __init__(self, result: str):
        self.result = result

    def ingress(self, envelope: Any, http_headers: Any, operation: Any) -> tuple[Any, Any]:
        """``envelope`` is the answer's lxml tree."""
        for element in envelope.iter(self.result):
            if element.text is not None and element.text.strip() not in BOOLEAN_WORDS:
                raise _NotABoolean()
        return envelope, http_headers


def _national_id(national_id: str) -> int:
    """The id as the registry's xs:long; the value itself stays out of the error."""
    if not (isinstance(national_id, str) and NATIONAL_ID.fullmatch(national_id)):
        raise ValueError("national_id must be 11 digits, the first not 0")
    return int(national_id)
