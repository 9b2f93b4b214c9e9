"""The pages that htmx updates in place answer a fragment to a swap and the whole page otherwise (a history
restore after Back included), and say so in ``Vary`` so a browser never shows one for the other (found in a
new-user trial: Back after the cost filter showed the bare table)."""

from django.urls import reverse

from governance.documents import services

from .test_states import _queued as _queued_memo

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_a_status_update_carries_the_versions_table_out_of_band(client, danderyd_clerk):
    client.force_login(danderyd_clerk)
    document = _queued_memo(danderyd_clerk)
    url = reverse("documents:document", args=[document.pk])
    page = client.get(url)
    assert 'id="document-versions"' in page.content.decode() and "hx-swap-oob" not in page.content.decode()
    services.document_render(document_id=document.pk)
    update = client.get(url, **HTMX)
    html = update.content.decode()
    assert "<html" not in html  # the fragment
    assert 'id="document-versions" hx-swap-oob="true"' in html
    assert "tjansteutlatande" in html  # the finished version's template, without a reload
    assert "HX-Request" in update["Vary"] and "HX-Request" in page["Vary"]


def test_the_cost_page_answers_the_whole_page_to_a_history_restore(ksl_client):
    url = reverse("agreements:costs", args=["origo"])
    fragment = ksl_client.get(url, **HTMX)
    restore = ksl_client.get(url, HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX)
    whole = ksl_client.get(url)
    assert "<html" not in fragment.content.decode()
    assert "<html" in restore.content.decode() and "<html" in whole.content.decode()
    for response in (fragment, restore, whole, ksl_client.get(url)):  # the last one kept (core.caching)
        assert "HX-Request" in response["Vary"]
