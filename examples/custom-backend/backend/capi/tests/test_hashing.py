from types import SimpleNamespace

from backend.capi.hashing import user_data_for


def test_no_identifiers_without_consent():
    s = SimpleNamespace(marketing_consent=False, email="A@B.com", user_agent="UA")
    assert "em" not in user_data_for(s)


def test_email_is_normalised_then_hashed():
    s = SimpleNamespace(marketing_consent=True, email=" A@B.com ", phone=None, customer_id=None,
                        client_ip=None, user_agent=None, fbp=None, fbc=None)
    em = user_data_for(s)["em"]
    assert len(em) == 64 and em == em.lower()
