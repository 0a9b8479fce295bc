def test_pages(client, login_as, programmer, work, edition, festival):
    login_as(programmer)
    for url in ["/festivals/", f"/festivals/{festival.id}", "/festivals/catalogue", f"/festivals/catalogue/{work.id}",
                f"/festivals/{festival.id}/requests", f"/festivals/{festival.id}/screenings",
                f"/festivals/{festival.id}/editions/{edition.id}", f"/festivals/{festival.id}/profile", "/festivals/mine"]:
        r = client.get(url)
        assert r.status_code == 200, (url, r.get_data(as_text=True)[:3000])
