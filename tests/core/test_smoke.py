"""The platform's public pages answer, with the security headers every page owes."""
import re



def test_home_page_lists_the_22_cities(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for name in ("Austin", "Košice", "Tel Aviv-Yafo", "York", "Campina Grande"):
        assert name in html
    assert len(re.findall(r'href="/cities/[a-z-]+"', html)) == 22
